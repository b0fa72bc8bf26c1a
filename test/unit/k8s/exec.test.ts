import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { connect, type Kube } from '../../../helpers/k8s/client.ts';
import { execInPod, exitCodeOf } from '../../../helpers/k8s/exec.ts';
import { ManualClock } from '../../support/fake-api-clock.ts';
import { type ExecCall, FakeApiServer } from '../../support/fake-apiserver.ts';

const nonZero = (code: string) => ({
  status: 'Failure',
  reason: 'NonZeroExitCode',
  message: `command terminated with non-zero exit code: exit status ${code}`,
  details: { causes: [{ reason: 'ExitCode', message: code }] },
});

describe('exitCodeOf', () => {
  it('reads Success as 0 and NonZeroExitCode as its ExitCode cause', () => {
    expect(exitCodeOf({ status: 'Success' })).toBe(0);
    expect(exitCodeOf(nonZero('137'))).toBe(137);
  });

  it('throws with the API message for other failures', () => {
    expect(() =>
      exitCodeOf({
        status: 'Failure',
        reason: 'InternalError',
        message: 'container "x" not found in pod "p"',
      }),
    ).toThrow('exec failed: container "x" not found in pod "p"');
    expect(() =>
      exitCodeOf({ status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [] } }),
    ).toThrow();
  });
});

describe('execInPod', () => {
  let fake: FakeApiServer;
  let kube: Kube;
  const calls: ExecCall[] = [];
  beforeEach(async () => {
    fake = await FakeApiServer.start();
    kube = connect({ kubeconfigPath: fake.kubeconfigPath });
    calls.length = 0;
  });
  afterEach(async () => {
    await fake.close();
  });
  const target = {
    namespace: 'demo',
    pod: 'curl-0',
    container: 'curl',
    timeoutMs: 30_000,
    clock: new ManualClock(),
  };

  it('returns stdout and exit code 0 (fake API server)', async () => {
    fake.streams.exec = (call) => {
      calls.push(call);
      return { stdout: 'hello\n', status: { status: 'Success' } };
    };
    const result = await execInPod(kube, { ...target, command: ['echo', 'hello'] });
    expect(result).toEqual({ stdout: 'hello\n', stderr: '', exitCode: 0 });
    expect(calls[0]).toMatchObject({
      namespace: 'demo',
      pod: 'curl-0',
      container: 'curl',
      command: ['echo', 'hello'],
    });
  });

  it('parses a non-zero exit code from the status channel, keeping stderr (fake API server)', async () => {
    fake.streams.exec = () => ({ stdout: 'partial', stderr: 'boom\n', status: nonZero('3') });
    const result = await execInPod(kube, { ...target, command: ['sh', '-c', 'exit 3'] });
    expect(result).toEqual({ stdout: 'partial', stderr: 'boom\n', exitCode: 3 });
  });

  it('sends stdin and closes it over v5.channel.k8s.io (fake API server)', async () => {
    fake.streams.exec = (call) => {
      calls.push(call);
      return {
        stdout: (call.stdin ?? Buffer.alloc(0)).toString().toUpperCase(),
        status: { status: 'Success' },
      };
    };
    const result = await execInPod(kube, { ...target, command: ['tr', 'a-z', 'A-Z'], stdin: 'abc' });
    expect(result.stdout).toBe('ABC');
    expect(calls[0]?.protocol).toBe('v5.channel.k8s.io');
  });

  it('fails when the stream closes without an exit status (fake API server)', async () => {
    fake.streams.exec = () => ({ stderr: 'killed' });
    await expect(execInPod(kube, { ...target, command: ['sleep', '1'] })).rejects.toThrow(
      'exec in demo/curl-0[curl]: sleep 1: the stream closed without an exit status; stderr: killed',
    );
  });

  it('reports a failure status such as a missing container (fake API server)', async () => {
    fake.streams.exec = () => ({
      status: {
        status: 'Failure',
        reason: 'BadRequest',
        message: 'container nope is not valid for pod curl-0',
      },
    });
    await expect(execInPod(kube, { ...target, container: 'nope', command: ['true'] })).rejects.toThrow(
      'exec in demo/curl-0[nope]: true: exec failed: container nope is not valid for pod curl-0',
    );
  });

  it('times out when no status arrives, by the injected clock (fake API server)', async () => {
    const clock = new ManualClock();
    let release: () => void = () => undefined;
    fake.streams.exec = () =>
      new Promise((resolve) => {
        release = () => resolve({ status: { status: 'Success' } });
      });
    const running = execInPod(kube, { ...target, clock, timeoutMs: 5_000, command: ['sleep', '99'] }).catch(
      (e: unknown) => e,
    );
    await expect.poll(() => clock.pending).toBe(1);
    clock.advance(5_000);
    expect(String(await running)).toContain('no exit status after 5000 ms');
    release();
  });
});
