import http from 'node:http';
import https from 'node:https';
import type { KubeConfig, V1Node } from '@kubernetes/client-node';
import { readyWorkerNodesOf } from '../../helpers/k8s/nodes.ts';

// An unreachable API server must not hold the prerequisite check past its few seconds: one deadline covers every
// request of the probe, so three slow answers still end inside 5 s.
const PROBE_TIMEOUT_MS = 4_000;

export type ApiProbe =
  | { readonly ok: true; readonly groups: readonly string[]; readonly readyWorkers: number }
  | {
      readonly ok: false;
      readonly reason: string;
      readonly fix: string;
      /** False when nothing answered at all (refused, timed out, DNS). */
      readonly answered?: boolean;
    };

const CHECK_CLUSTER = 'check the cluster is up and the kubeconfig is current';

/**
 * What the suite needs of an existing API before it creates anything, each with a hard deadline: `/version`
 * answers, `/apis` lists the API groups (an aggregated API that is down makes some servers answer `/version` but
 * fail discovery, and client-node then throws mid-run), and at least one Ready worker exists (nothing can be
 * scheduled otherwise). Uses node:http(s) directly with the kubeconfig's TLS options and credentials because the
 * generated clients take no per-request deadline. Reasons never carry credentials: only status codes, socket
 * error codes and counts.
 */
export async function probeApi(kubeconfig: KubeConfig, timeoutMs = PROBE_TIMEOUT_MS): Promise<ApiProbe> {
  const cluster = kubeconfig.getCurrentCluster();
  if (!cluster) return { ok: false, reason: 'the context names no cluster', fix: 'pass --context <name>' };
  let base: URL;
  try {
    base = new URL(cluster.server);
  } catch {
    return {
      ok: false,
      reason: 'the server URL is not a URL',
      fix: 'fix the cluster entry of the kubeconfig',
    };
  }
  if (base.protocol === 'http:' && !cluster.skipTLSVerify) {
    // client-node refuses plain HTTP unless TLS verification is off; `kubectl proxy` kubeconfigs look like this.
    return {
      ok: false,
      reason: `the server is plain ${base.protocol}//${base.host} (kubectl proxy?), which the Kubernetes client refuses`,
      fix: "point the kubeconfig at the API server's https:// address (e.g. the one `kubectl config view --minify` shows before proxying)",
    };
  }
  const options: https.RequestOptions = { method: 'GET', headers: { accept: 'application/json' } };
  try {
    await kubeconfig.applyToHTTPSOptions(options);
  } catch (error) {
    // Exec plugins and token files fail here; their messages may quote commands, so keep only the kind.
    return {
      ok: false,
      reason: `credentials could not be loaded (${(error as Error).name})`,
      fix: 'check the user entry of the kubeconfig (token file, exec plugin)',
    };
  }
  const signal = AbortSignal.timeout(timeoutMs);
  const get = (path: string) => getJson(new URL(path, base), options, signal, timeoutMs);

  const version = await get('/version');
  if (!version.ok) return failure(version.reason, '/version', version.answered);
  const apis = await get('/apis');
  if (!apis.ok) {
    return {
      ok: false,
      reason: `/version answers but API discovery (/apis) does not: ${apis.reason}`,
      fix: 'an aggregated API service may be down (kubectl get apiservices) — fix it, or check the RBAC of the kubeconfig user',
    };
  }
  const groups = groupNames(apis.body);
  if (groups === undefined) {
    return { ok: false, reason: '/apis did not answer an APIGroupList', fix: CHECK_CLUSTER };
  }
  const nodes = await get('/api/v1/nodes');
  if (!nodes.ok) {
    return {
      ok: false,
      reason: `the nodes could not be listed: ${nodes.reason}`,
      fix: 'the suite needs cluster-admin rights (it installs CRDs and cluster-scoped mesh objects)',
    };
  }
  const items = (nodes.body as { items?: V1Node[] } | undefined)?.items ?? [];
  const readyWorkers = readyWorkerNodesOf(items).length;
  if (readyWorkers === 0) {
    return {
      ok: false,
      reason: `the cluster has no Ready worker node (${items.length} node(s), none Ready without the control-plane role)`,
      fix: 'wait for the workers to be Ready (kubectl get nodes), or use a cluster with at least 2 Ready workers',
    };
  }
  return { ok: true, groups, readyWorkers };
}

function failure(reason: string, path: string, answered: boolean): ApiProbe {
  if (!answered) return { ok: false, reason, fix: CHECK_CLUSTER, answered };
  if (reason.startsWith('HTTP 401')) {
    return {
      ok: false,
      reason,
      fix: 'log in again (oc login / refresh the token), or pass another --context',
    };
  }
  if (reason.startsWith('HTTP 403')) {
    return { ok: false, reason: `${reason} on ${path}`, fix: 'the kubeconfig user may not read the API' };
  }
  return { ok: false, reason, fix: CHECK_CLUSTER };
}

function groupNames(body: unknown): string[] | undefined {
  const groups = (body as { kind?: unknown; groups?: unknown } | undefined)?.groups;
  if (!Array.isArray(groups)) return undefined;
  return groups.flatMap((g) =>
    typeof (g as { name?: unknown }).name === 'string' ? [(g as { name: string }).name] : [],
  );
}

type Answer = { ok: true; body: unknown } | { ok: false; reason: string; answered: boolean };

function getJson(
  url: URL,
  options: https.RequestOptions,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<Answer> {
  const request = url.protocol === 'http:' ? http.request : https.request;
  return new Promise<Answer>((resolve) => {
    if (signal.aborted) {
      resolve({ ok: false, reason: `no answer within ${timeoutMs / 1000} s`, answered: false });
      return;
    }
    const req = request(url, { ...options, signal }, (res) => {
      const status = res.statusCode ?? 0;
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', () =>
        resolve({ ok: false, reason: `HTTP ${status}, answer cut short`, answered: true }),
      );
      res.on('end', () => {
        if (status === 401) {
          resolve({ ok: false, reason: 'HTTP 401: the credentials were rejected', answered: true });
          return;
        }
        if (status < 200 || status >= 300) {
          resolve({ ok: false, reason: `HTTP ${status}`, answered: true });
          return;
        }
        try {
          resolve({ ok: true, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown });
        } catch {
          resolve({ ok: false, reason: `HTTP ${status} but not JSON`, answered: true });
        }
      });
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      const reason = signal.aborted ? `no answer within ${timeoutMs / 1000} s` : (error.code ?? error.name);
      resolve({ ok: false, reason, answered: false });
    });
    req.end();
  });
}
