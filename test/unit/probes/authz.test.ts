import type { LookupFunction } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  classifyFailure,
  classifyResponse,
  RBAC_DENIED_BODY,
  requestAuthz,
} from '../../../helpers/probes/authz.ts';
import { parseAuthzArgs } from '../../../helpers/probes/authz-cli.ts';
import { AuthzVerdict } from '../../../helpers/probes/verdicts.ts';
import { DEAD_PORT, HOST, httpText, respondAfterHead, type TcpFixture, tcpServer } from './tcp-fixtures.ts';

describe('classifyResponse', () => {
  it.each([
    [200, 'ok', 'allow'],
    [204, '', 'allow'],
    [302, '', 'allow'],
    [403, RBAC_DENIED_BODY, 'deny'],
    [403, `prefix ${RBAC_DENIED_BODY}\n`, 'deny'],
    [403, '<html>403 Forbidden</html>', 'error'],
    [503, 'no healthy upstream', 'error'],
    [404, 'not found', 'error'],
    [500, RBAC_DENIED_BODY, 'error'],
    [101, '', 'error'],
  ] as const)('waypoint: HTTP %i %j → %s', (status, body, verdict) => {
    const result = classifyResponse(status, body, 1);
    expect(result).toEqual(classifyResponse(status, body, 1, 'waypoint'));
    expect(result.verdict).toBe(verdict);
    expect(AuthzVerdict.parse(result)).toEqual(result);
    if (result.verdict === 'deny') expect(result.by).toBe('http-403-rbac');
    if (result.verdict === 'error') expect(result.reason).toBe('http-status');
  });

  it.each([
    [200, 'ok', 'allow'],
    [302, '', 'allow'],
    [403, RBAC_DENIED_BODY, 'error'],
    [403, '<html>403 Forbidden</html>', 'error'],
    [503, 'no healthy upstream', 'error'],
  ] as const)('ztunnel: HTTP %i %j → %s (no HTTP answer is an L4 deny)', (status, body, verdict) => {
    const result = classifyResponse(status, body, 1, 'ztunnel');
    expect(result.verdict).toBe(verdict);
    expect(AuthzVerdict.parse(result)).toEqual(result);
  });

  it('says why the waypoint RBAC 403 is not a ztunnel deny', () => {
    expect(classifyResponse(403, RBAC_DENIED_BODY, 1, 'ztunnel').evidence).toMatch(
      /403 from a waypoint is not the ztunnel L4 deny/,
    );
  });

  it('says why a 503 is not a deny', () => {
    expect(classifyResponse(503, 'upstream connect error', 1).evidence).toMatch(/503.*not a policy deny/);
  });
});

describe('classifyFailure', () => {
  const err = (code: string, message: string, syscall?: string): NodeJS.ErrnoException =>
    Object.assign(new Error(message), { code, ...(syscall === undefined ? {} : { syscall }) });
  const rst = err('ECONNRESET', 'read ECONNRESET', 'read');
  const eof = err('ECONNRESET', 'socket hang up');

  it.each([
    ['waypoint', rst, 0, 'error', 'reset', /RST.*not the waypoint's deny/],
    ['waypoint', eof, 0, 'error', 'eof', /EOF.*not the waypoint's deny/],
    ['ztunnel', rst, 0, 'deny', 'reset', /RST/],
    ['ztunnel', err('EPIPE', 'write EPIPE', 'write'), 0, 'deny', 'reset', /RST/],
    ['ztunnel', eof, 0, 'error', 'eof', /EOF.*is a reset \(RST\), not a clean close/],
    ['ztunnel', rst, 12, 'error', 'protocol', /12 bytes/],
    ['waypoint', eof, 12, 'error', 'protocol', /12 bytes/],
    ['waypoint', err('ECONNREFUSED', 'connect ECONNREFUSED'), 0, 'error', 'refused', /ECONNREFUSED/],
    ['ztunnel', err('ECONNREFUSED', 'connect ECONNREFUSED'), 0, 'error', 'refused', /ECONNREFUSED/],
    ['waypoint', err('ENOTFOUND', 'getaddrinfo ENOTFOUND x'), 0, 'error', 'dns', /ENOTFOUND/],
    ['waypoint', err('EAI_AGAIN', 'getaddrinfo EAI_AGAIN x'), 0, 'error', 'dns', /EAI_AGAIN/],
    ['waypoint', err('ETIMEDOUT', 'connect ETIMEDOUT'), 0, 'error', 'timeout', /ETIMEDOUT/],
    ['waypoint', err('EHOSTUNREACH', 'connect EHOSTUNREACH'), 0, 'error', 'unreachable', /EHOSTUNREACH/],
    ['waypoint', err('HPE_INVALID_CONSTANT', 'Parse Error: Expected HTTP/'), 0, 'error', 'protocol', /Parse/],
    ['ztunnel', new Error('weird'), 0, 'error', 'network', /weird/],
  ] as const)('%s: %s with %i bytes read → %s/%s', (denyBy, error, bytes, verdict, kind, evidence) => {
    const result = classifyFailure(error, bytes, 1, denyBy);
    expect(AuthzVerdict.parse(result)).toEqual(result);
    expect(result.verdict).toBe(verdict);
    expect(result.verdict === 'deny' ? result.by : result.verdict === 'error' ? result.reason : '').toBe(
      kind,
    );
    expect(result.evidence).toMatch(evidence);
  });

  it('takes a FIN seen on the socket as a clean close whatever the error says', () => {
    expect(classifyFailure(rst, 0, 1, 'ztunnel', true)).toMatchObject({ verdict: 'error', reason: 'eof' });
  });
});

describe('requestAuthz against in-process servers', () => {
  let server: TcpFixture | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });
  const at = (port: number, path = '/'): URL => new URL(`http://${HOST}:${port}${path}`);

  it('allows on 200 and carries the status', async () => {
    server = await tcpServer(respondAfterHead(httpText(200, 'OK', 'hello')));
    const v = await requestAuthz({ url: at(server.port), method: 'GET', timeoutMs: 2000 });
    expect(v).toMatchObject({ verdict: 'allow', status: 200 });
  });

  it('denies on 403 with the RBAC body', async () => {
    server = await tcpServer(respondAfterHead(httpText(403, 'Forbidden', RBAC_DENIED_BODY)));
    const v = await requestAuthz({ url: at(server.port), method: 'GET', timeoutMs: 2000 });
    expect(v).toMatchObject({ verdict: 'deny', by: 'http-403-rbac', status: 403 });
  });

  it('is an error on a 403 with another body', async () => {
    server = await tcpServer(respondAfterHead(httpText(403, 'Forbidden', 'go away')));
    const v = await requestAuthz({ url: at(server.port), method: 'GET', timeoutMs: 2000 });
    expect(v).toMatchObject({ verdict: 'error', reason: 'http-status', status: 403 });
  });

  it.each([
    ['waypoint', { verdict: 'error', reason: 'reset' }],
    ['ztunnel', { verdict: 'deny', by: 'reset' }],
  ] as const)('--deny-by %s: a RST before any response → %j, saying RST', async (denyBy, expected) => {
    server = await tcpServer((socket) => socket.once('data', () => socket.resetAndDestroy()));
    const v = await requestAuthz({ url: at(server.port), method: 'GET', timeoutMs: 2000, denyBy });
    expect(v).toMatchObject(expected);
    expect(v.evidence).toMatch(/RST/);
  });

  it.each(['waypoint', 'ztunnel'] as const)(
    '--deny-by %s: an EOF before any response byte is an error, saying EOF',
    async (denyBy) => {
      server = await tcpServer((socket) => socket.once('data', () => socket.end()));
      const v = await requestAuthz({ url: at(server.port), method: 'GET', timeoutMs: 2000, denyBy });
      expect(v).toMatchObject({ verdict: 'error', reason: 'eof' });
      expect(v.evidence).toMatch(/EOF/);
    },
  );

  it('--deny-by ztunnel: the RBAC 403 is an error', async () => {
    server = await tcpServer(respondAfterHead(httpText(403, 'Forbidden', RBAC_DENIED_BODY)));
    const v = await requestAuthz({ url: at(server.port), method: 'GET', timeoutMs: 2000, denyBy: 'ztunnel' });
    expect(v).toMatchObject({ verdict: 'error', reason: 'http-status', status: 403 });
  });

  it('is a protocol error when some bytes came and then the peer closed', async () => {
    server = await tcpServer((socket) => socket.once('data', () => socket.end('HTTP/1.1 200 O')));
    const v = await requestAuthz({ url: at(server.port), method: 'GET', timeoutMs: 2000 });
    expect(v).toMatchObject({ verdict: 'error', reason: 'protocol' });
  });

  it('is a timeout when the server accepts and never answers', async () => {
    server = await tcpServer(() => {});
    const v = await requestAuthz({ url: at(server.port), method: 'GET', timeoutMs: 300 });
    expect(v).toMatchObject({ verdict: 'error', reason: 'timeout' });
    expect(v.evidence).toMatch(/waiting for a response/);
  });

  it('is a timeout when the 403 body never finishes', async () => {
    server = await tcpServer((socket) =>
      socket.once('data', () =>
        socket.write('HTTP/1.1 403 Forbidden\r\ncontent-length: 100\r\n\r\nRBAC: acc'),
      ),
    );
    const v = await requestAuthz({ url: at(server.port), method: 'GET', timeoutMs: 300 });
    expect(v).toMatchObject({ verdict: 'error', reason: 'timeout' });
  });

  it('is refused when nothing listens', async () => {
    const v = await requestAuthz({ url: at(DEAD_PORT), method: 'GET', timeoutMs: 2000 });
    expect(v).toMatchObject({ verdict: 'error', reason: 'refused' });
  });

  it('is a dns error when the name does not resolve (resolver injected: no query leaves the host)', async () => {
    const lookup: LookupFunction = (hostname, _options, callback) => {
      callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), '', 4);
    };
    const v = await requestAuthz({
      url: new URL('http://nowhere.invalid/'),
      method: 'GET',
      timeoutMs: 2000,
      lookup,
    });
    expect(v).toMatchObject({ verdict: 'error', reason: 'dns' });
  });

  it('opens a new connection per request and sends the method', async () => {
    const seen: string[] = [];
    server = await tcpServer((socket) => {
      socket.once('data', (chunk: Buffer) => {
        seen.push(chunk.toString('latin1').split('\r\n')[0] ?? '');
        socket.end(httpText(200, 'OK', ''));
      });
    });
    const first = await requestAuthz({ url: at(server.port, '/a'), method: 'POST', timeoutMs: 2000 });
    const second = await requestAuthz({ url: at(server.port, '/b'), method: 'GET', timeoutMs: 2000 });
    expect([first.verdict, second.verdict]).toEqual(['allow', 'allow']);
    expect(seen).toEqual(['POST /a HTTP/1.1', 'GET /b HTTP/1.1']);
  });
});

describe('parseAuthzArgs', () => {
  const base = ['--url', 'http://127.0.4.1:24999/', '--expect', 'deny'];
  it('defaults --deny-by to waypoint and accepts ztunnel', () => {
    expect(parseAuthzArgs(base)).toMatchObject({ denyBy: 'waypoint', expect: 'deny' });
    expect(parseAuthzArgs([...base, '--deny-by', 'ztunnel'])).toMatchObject({ denyBy: 'ztunnel' });
  });
  it('rejects any other mechanism', () => {
    expect(() => parseAuthzArgs([...base, '--deny-by', 'reset'])).toThrow(
      /--deny-by must be waypoint or ztunnel/,
    );
  });
});
