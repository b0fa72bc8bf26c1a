import { execInPod } from '../../helpers/k8s/exec.ts';
import { isPodReady, pickReadyPod } from '../../helpers/k8s/port-forward.ts';
import { listPods } from '../../helpers/k8s/read.ts';
import { PROBE_SCRIPT_PATH } from '../../helpers/mesh/manifests/index.ts';
import type { PodTarget } from '../../helpers/plan/types.ts';
import type { BackgroundProbe, RunContext } from './context.ts';

/** The probe container of the pods the manifests build (helpers/mesh/manifests/probe.ts). */
export const PROBE_CONTAINER = 'probe';

export interface ProbePod {
  namespace: string;
  name: string;
  node: string;
}

/** The first Ready pod of `target` (on `node`, when given). */
export async function probePod(ctx: RunContext, target: PodTarget, node?: string): Promise<ProbePod> {
  const pods = (
    await listPods(ctx.kube, { namespace: target.namespace, labelSelector: target.selector })
  ).filter((p) => node === undefined || p.spec?.nodeName === node);
  const pod = pickReadyPod(pods);
  if (!pod?.metadata?.name || !isPodReady(pod)) {
    throw new Error(
      `no Ready probe pod ${target.selector} in ${target.namespace}${node ? ` on ${node}` : ''} (found ${pods.length})`,
    );
  }
  return { namespace: target.namespace, name: pod.metadata.name, node: pod.spec?.nodeName ?? '' };
}

/** Runs one probe subcommand to completion in the pod; the probe prints one JSON line on stdout. */
export async function runProbe(ctx: RunContext, pod: ProbePod, args: readonly string[], timeoutMs: number) {
  return execInPod(ctx.kube, {
    namespace: pod.namespace,
    pod: pod.name,
    container: PROBE_CONTAINER,
    command: ['node', PROBE_SCRIPT_PATH, ...args],
    timeoutMs,
    signal: ctx.signal,
  });
}

/** Quotes one argument for `sh -c`. */
export function shellQuote(arg: string): string {
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

/**
 * Starts a probe subcommand in the background in the pod (it writes `outFile` when it ends or gets SIGTERM) and
 * returns its pid. The exec returns at once; the probe outlives it.
 */
export async function startBackgroundProbe(
  ctx: RunContext,
  pod: ProbePod,
  label: string,
  args: readonly string[],
): Promise<BackgroundProbe> {
  const outFile = `/tmp/aus-${label}.json`;
  const script = `rm -f ${outFile}; nohup node ${PROBE_SCRIPT_PATH} ${[...args, '--out', outFile].map(shellQuote).join(' ')} >/tmp/aus-${label}.log 2>&1 & echo $!`;
  const started = await execInPod(ctx.kube, {
    namespace: pod.namespace,
    pod: pod.name,
    container: PROBE_CONTAINER,
    command: ['sh', '-c', script],
    timeoutMs: 30_000,
    signal: ctx.signal,
  });
  const pid = Number(started.stdout.trim());
  if (started.exitCode !== 0 || !Number.isInteger(pid) || pid <= 0) {
    throw new Error(
      `could not start ${args[0]} probe in ${pod.namespace}/${pod.name}: ${started.stderr || started.stdout}`,
    );
  }
  return {
    label,
    namespace: pod.namespace,
    pod: pod.name,
    container: PROBE_CONTAINER,
    pid,
    outFile,
    clientNode: pod.node,
    startedAt: Date.now(),
  };
}

/**
 * Stops a background probe with SIGTERM, waits (bounded, polling the pid) until it has written its report, and
 * returns the report text. A probe that died early still left its file; a missing file is an error with its log.
 */
export async function stopBackgroundProbe(ctx: RunContext, probe: BackgroundProbe): Promise<string> {
  const script = [
    `kill -TERM ${probe.pid} 2>/dev/null`,
    // Poll for the exit (at most 30 s): the probe writes its report on SIGTERM, then exits.
    `i=0; while kill -0 ${probe.pid} 2>/dev/null && [ $i -lt 150 ]; do sleep 0.2; i=$((i+1)); done`,
    `if [ -s ${probe.outFile} ]; then cat ${probe.outFile}; else echo "no report; probe log:" >&2; tail -n 20 /tmp/aus-${probe.label}.log >&2; exit 3; fi`,
  ].join('; ');
  const result = await execInPod(ctx.kube, {
    namespace: probe.namespace,
    pod: probe.pod,
    container: probe.container,
    command: ['sh', '-c', script],
    timeoutMs: 60_000,
    signal: ctx.signal,
  });
  if (result.exitCode !== 0) {
    throw new Error(
      `${probe.label}: probe in ${probe.namespace}/${probe.pod} left no report: ${result.stderr.trim()}`,
    );
  }
  return result.stdout;
}
