import {
  ArgError,
  numberArg,
  optionalString,
  parseCommand,
  parseProbeArgs,
  requireString,
  urlArg,
} from './args.ts';
import { DENY_MECHANISMS, type DenyMechanism, requestAuthz } from './authz.ts';
import { type ProbeIo, processIo } from './io.ts';
import type { AuthzExpect, AuthzVerdict } from './verdicts.ts';

export const AUTHZ_HELP = `Usage: probe authz --url URL --expect allow|deny [--deny-by waypoint|ztunnel] [--method GET]
                   [--timeout MS]

One HTTP request on a new connection, classified the way the mesh reports policy. Prints one JSON line:
  {"verdict":"allow"|"deny"|"error","evidence":"…","status"?:n,"by"?:…,"reason"?:…,"elapsedMs":n}

  deny   --deny-by waypoint (default): the waypoint answered 403 with a body containing 'RBAC: access denied'
         (by: http-403-rbac). --deny-by ztunnel: the peer reset the connection (RST) before any response byte
         (by: reset; ztunnel's L4 deny, curl exit 56)
  allow  a 2xx/3xx response from the application
  error  anything else: 503, another 403 body, other statuses, timeout, refused, DNS failure, partial response;
         with waypoint also a reset (reason: reset) or a clean close (reason: eof) before any byte (ztunnel could
         not use the waypoint); with ztunnel also a clean close (eof) and any HTTP answer, a 403 included

Options:
  --url URL        http:// URL to request (required)
  --expect V       allow or deny (required)
  --deny-by M      waypoint or ztunnel: which component enforces the policy, so which outcome is its deny
                   (default waypoint)
  --method M       HTTP method (default GET)
  --timeout MS     deadline for connect + response + body (default 5000)
  -h, --help       show this help

Exit: 0 verdict equals --expect, 1 the opposite verdict, 2 error verdict or bad arguments.
`;

export interface AuthzOptions {
  url: URL;
  method: string;
  expect: AuthzExpect;
  denyBy: DenyMechanism;
  timeoutMs: number;
}

export function parseAuthzArgs(argv: readonly string[]): AuthzOptions | 'help' {
  const values = parseProbeArgs(argv, {
    url: { type: 'string' },
    expect: { type: 'string' },
    method: { type: 'string' },
    'deny-by': { type: 'string' },
    timeout: { type: 'string' },
  });
  if (values.help === true) return 'help';
  const url = urlArg('url', requireString(values, 'url'), ['http:']);
  const expect = requireString(values, 'expect');
  if (expect !== 'allow' && expect !== 'deny') {
    throw new ArgError(`--expect must be allow or deny, got '${expect}'`);
  }
  const denyBy = optionalString(values, 'deny-by') ?? 'waypoint';
  if (!isDenyMechanism(denyBy)) throw new ArgError(`--deny-by must be waypoint or ztunnel, got '${denyBy}'`);
  const method = (optionalString(values, 'method') ?? 'GET').toUpperCase();
  if (!/^[A-Z]+$/.test(method)) throw new ArgError(`--method must be an HTTP method, got '${method}'`);
  const timeout = optionalString(values, 'timeout');
  const timeoutMs =
    timeout === undefined ? 5000 : numberArg('timeout', timeout, { min: 1, max: 600_000, integer: true });
  return { url, method, expect, denyBy, timeoutMs };
}

function isDenyMechanism(value: string): value is DenyMechanism {
  return (DENY_MECHANISMS as readonly string[]).includes(value);
}

/** 0 when the verdict is what was expected, 1 when it is the opposite, 2 when it proves nothing. */
export function authzExitCode(verdict: AuthzVerdict, expect: AuthzExpect): number {
  if (verdict.verdict === 'error') return 2;
  return verdict.verdict === expect ? 0 : 1;
}

export async function authzMain(argv: readonly string[], io: ProbeIo = processIo): Promise<number> {
  const options = parseCommand('authz', argv, parseAuthzArgs, AUTHZ_HELP, io);
  if (typeof options === 'number') return options;
  const verdict = await requestAuthz(options);
  io.stdout(`${JSON.stringify(verdict)}\n`);
  return authzExitCode(verdict, options.expect);
}
