import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

// An unreachable API server must not hold the prerequisite check past its few seconds.
const PROBE_TIMEOUT_MS = 4_000;

export type ApiProbe = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/**
 * GET /version with the kubeconfig's credentials and a hard deadline. Uses node:https directly (with the
 * kubeconfig applied by client-node) because the generated clients take no per-request deadline, and a pending
 * connect to a black-holed address would keep the process alive for minutes. The reason never carries
 * credentials: only a status code or a socket error code.
 */
export async function probeApi(kubeconfig: KubeConfig, timeoutMs = PROBE_TIMEOUT_MS): Promise<ApiProbe> {
  const cluster = kubeconfig.getCurrentCluster();
  if (!cluster) return { ok: false, reason: 'the context names no cluster' };
  let url: URL;
  try {
    url = new URL('/version', cluster.server);
  } catch {
    return { ok: false, reason: 'the server URL is not a URL' };
  }
  const options: https.RequestOptions = { method: 'GET', headers: {} };
  try {
    await kubeconfig.applyToHTTPSOptions(options);
  } catch (error) {
    // Exec plugins and token files fail here; their messages may quote commands, so keep only the kind.
    return { ok: false, reason: `credentials could not be loaded (${(error as Error).name})` };
  }
  const signal = AbortSignal.timeout(timeoutMs);
  const request = url.protocol === 'http:' ? http.request : https.request;
  return new Promise<ApiProbe>((resolve) => {
    const req = request(url, { ...options, signal }, (res) => {
      res.resume();
      const status = res.statusCode ?? 0;
      // /version is readable by any authenticated user: anything else means the suite cannot work there.
      if (status >= 200 && status < 300) resolve({ ok: true });
      else if (status === 401) resolve({ ok: false, reason: 'HTTP 401: the credentials were rejected' });
      else resolve({ ok: false, reason: `HTTP ${status}` });
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      const reason = signal.aborted ? `no answer within ${timeoutMs / 1000} s` : (error.code ?? error.name);
      resolve({ ok: false, reason });
    });
    req.end();
  });
}
