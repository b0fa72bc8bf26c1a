import { z } from 'zod';

/*
 * Core kinds have no CRD. These zod schemas check the fields the suite's builders set (types, ranges,
 * required keys, selector/label agreement) and let every other field through: they are a typo guard for
 * our objects, not a full Kubernetes schema, and upstream samples using other fields still pass.
 */

const StringMap = z.record(z.string(), z.string());
const Port = z.int().min(1).max(65535);

const Container = z.looseObject({
  name: z.string().min(1),
  image: z.string().min(1),
  command: z.array(z.string()).optional(),
  args: z.array(z.string()).optional(),
  imagePullPolicy: z.enum(['Always', 'IfNotPresent', 'Never']).optional(),
  ports: z
    .array(
      z.looseObject({
        containerPort: Port,
        name: z.string().optional(),
        protocol: z.enum(['TCP', 'UDP', 'SCTP']).optional(),
      }),
    )
    .optional(),
  resources: z
    .looseObject({
      requests: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
      limits: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
    })
    .optional(),
  volumeMounts: z
    .array(
      z.looseObject({
        name: z.string().min(1),
        mountPath: z.string().startsWith('/'),
        readOnly: z.boolean().optional(),
      }),
    )
    .optional(),
});

const PodSpec = z.looseObject({
  containers: z.array(Container).min(1),
  serviceAccountName: z.string().min(1).optional(),
  nodeSelector: StringMap.optional(),
  terminationGracePeriodSeconds: z.int().min(0).optional(),
  volumes: z.array(z.looseObject({ name: z.string().min(1) })).optional(),
});

const Deployment = z.looseObject({
  spec: z
    .looseObject({
      replicas: z.int().min(0).optional(),
      selector: z.looseObject({ matchLabels: StringMap }),
      template: z.looseObject({
        metadata: z.looseObject({ labels: StringMap }),
        spec: PodSpec,
      }),
    })
    .refine(
      (spec) =>
        Object.entries(spec.selector.matchLabels).every(
          ([key, value]) => spec.template.metadata.labels[key] === value,
        ),
      {
        message: 'selector.matchLabels must match template.metadata.labels',
        path: ['selector', 'matchLabels'],
      },
    ),
});

const Service = z.looseObject({
  spec: z.looseObject({
    type: z.enum(['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName']).optional(),
    selector: StringMap.optional(),
    ports: z
      .array(
        z.looseObject({
          port: Port,
          name: z.string().optional(),
          targetPort: z.union([Port, z.string().min(1)]).optional(),
          protocol: z.enum(['TCP', 'UDP', 'SCTP']).optional(),
          appProtocol: z.string().optional(),
        }),
      )
      .min(1),
  }),
});

const ConfigMap = z.looseObject({ data: StringMap.optional(), binaryData: StringMap.optional() });

const Pod = z.looseObject({ spec: PodSpec });

const IntOrPercent = z.union([z.int().min(0), z.string().regex(/^\d+%$/)]);

const PodDisruptionBudget = z.looseObject({
  spec: z
    .looseObject({
      minAvailable: IntOrPercent.optional(),
      maxUnavailable: IntOrPercent.optional(),
      selector: z.looseObject({ matchLabels: StringMap }),
    })
    .refine((spec) => spec.minAvailable === undefined || spec.maxUnavailable === undefined, {
      message: 'set minAvailable or maxUnavailable, not both',
    }),
});

const Anything = z.looseObject({});

/** Core kinds checked with zod, by `apiVersion/kind`, and whether they live in a namespace. */
export const CORE_KINDS: ReadonlyMap<string, { schema: z.ZodType; namespaced: boolean }> = new Map([
  ['v1/Namespace', { schema: Anything, namespaced: false }],
  ['v1/ServiceAccount', { schema: Anything, namespaced: true }],
  ['v1/ConfigMap', { schema: ConfigMap, namespaced: true }],
  ['v1/Service', { schema: Service, namespaced: true }],
  ['v1/Pod', { schema: Pod, namespaced: true }],
  ['apps/v1/Deployment', { schema: Deployment, namespaced: true }],
  ['policy/v1/PodDisruptionBudget', { schema: PodDisruptionBudget, namespaced: true }],
]);
