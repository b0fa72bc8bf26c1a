import { request } from 'undici';
import { forwardPort } from '../../helpers/k8s/port-forward.ts';
import { listNamespaces, listObjects } from '../../helpers/k8s/read.ts';
import { judgeNodeZtunnel, parseZtunnelConfigDump } from '../../helpers/mesh/ztunnel-config.ts';
import { ZTUNNEL_SELECTOR, ztunnelPodOnNode } from '../../helpers/mesh/ztunnel-pods.ts';
import type { ProbeSpec } from '../../helpers/plan/types.ts';
import type { RunContext } from './context.ts';
import { nodeName } from './nodes.ts';
import { failed, json, passed, type StepOutcome } from './outcome.ts';

/** ztunnel's admin endpoint binds the pod's localhost; a port-forward reaches it without exec. */
const ZTUNNEL_ADMIN_PORT = 15000;

/** How often a returned node's ztunnel is read again while its workloads are not all `Up`. */
const POLL_MS = 3_000;

/**
 * Polls the ztunnel on the node until it serves every ambient pod there (`workloadState` UID → `Up`) at the
 * expected version, at most `spec.timeoutMs`: pods come back after the uncordon and the hand-off to the new
 * ztunnel takes a moment. The last judgement is the verdict.
 */
export async function checkNodeZtunnel(
  spec: Extract<ProbeSpec, { kind: 'node-ztunnel' }>,
  ctx: RunContext,
): Promise<StepOutcome> {
  const deadline = Date.now() + spec.timeoutMs;
  let attempts = 0;
  for (;;) {
    const outcome = await readNodeZtunnel(spec, ctx);
    attempts += 1;
    if (outcome.ok || Date.now() >= deadline || ctx.signal.aborted) {
      return { ...outcome, summary: `${outcome.summary} (after ${attempts} read(s))` };
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS).unref());
  }
}

async function readNodeZtunnel(
  spec: Extract<ProbeSpec, { kind: 'node-ztunnel' }>,
  ctx: RunContext,
): Promise<StepOutcome> {
  const node = nodeName(ctx, spec.node);
  const ztunnels = await ctx.mesh.list({
    apiVersion: 'v1',
    kind: 'Pod',
    namespace: 'ztunnel',
    labelSelector: ZTUNNEL_SELECTOR,
  });
  const view = ztunnelPodOnNode(ztunnels, node);
  if (view instanceof Error) return failed(view.message);
  const ztunnelPod = ztunnels.find((p) => p.metadata.name === view.name);

  const forward = await forwardPort(ctx.kube, {
    namespace: 'ztunnel',
    pod: view.name,
    port: ZTUNNEL_ADMIN_PORT,
  });
  let dumpText: string;
  try {
    const response = await request(`http://127.0.0.1:${forward.localPort}/config_dump`, {
      signal: ctx.signal,
    });
    dumpText = await response.body.text();
  } finally {
    await forward.close();
  }
  const dump = parseZtunnelConfigDump(dumpText);
  if (dump instanceof Error) return failed(`ztunnel ${view.name} config_dump unreadable: ${dump.message}`);

  const ambient = new Set(
    (await listNamespaces(ctx.kube, { labelSelector: 'istio.io/dataplane-mode=ambient' })).map(
      (n) => n.metadata?.name ?? '',
    ),
  );
  // Raw JSON (not client-node models, whose timestamps are Dates) is what the judgement parses.
  const podsOnNode = (
    await listObjects(ctx.kube, 'v1', 'Pod', { fieldSelector: `spec.nodeName=${node},status.phase=Running` })
  ).filter((p) => ambient.has(p.metadata.namespace ?? ''));
  const judged = judgeNodeZtunnel({
    node,
    expectVersion: spec.version,
    ztunnelPod,
    configDump: dump,
    podsOnNode,
  });
  const evidence = [json('judgement', judged), json('ztunnel workloadState', dump.workloadState ?? null)];
  return judged.ok ? passed(judged.reason, evidence) : failed(judged.reason, evidence);
}
