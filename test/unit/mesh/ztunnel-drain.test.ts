import { describe, expect, it } from 'vitest';
import {
  drainDeadlineSeconds,
  judgeConnectionPersistence,
  parseDurationSeconds,
  type ZtunnelReplacement,
  ztunnelDrainSettings,
  ztunnelReplacements,
} from '../../../helpers/mesh/ztunnel-drain.ts';
import { daemonSet, pod } from './fixtures.ts';

describe('drainDeadlineSeconds (ztunnel src/config.rs)', () => {
  it.each([
    [30, 25],
    [300, 295],
    [11, 6],
    [10, 9],
    [2, 1],
    [1, 1],
  ])('grace %i → %i', (grace, deadline) => expect(drainDeadlineSeconds(grace)).toBe(deadline));

  it('defaults to 5 s with neither variable', () => expect(drainDeadlineSeconds(undefined)).toBe(5));

  it('CONNECTION_TERMINATION_DEADLINE wins', () => {
    expect(drainDeadlineSeconds(300, { CONNECTION_TERMINATION_DEADLINE: '20s' })).toBe(20);
    expect(drainDeadlineSeconds(undefined, { CONNECTION_TERMINATION_DEADLINE: '1m30s' })).toBe(90);
    expect(() => drainDeadlineSeconds(30, { CONNECTION_TERMINATION_DEADLINE: 'soon' })).toThrow(
      /not a duration/,
    );
  });

  it('parses durations', () => {
    expect(parseDurationSeconds('500ms')).toBe(0.5);
    expect(parseDurationSeconds('7')).toBe(7);
    expect(parseDurationSeconds('5x')).toBeUndefined();
  });
});

describe('ztunnelDrainSettings', () => {
  const ds = (grace: number, envGrace: string) =>
    daemonSet({
      name: 'ztunnel',
      namespace: 'ztunnel',
      container: 'istio-proxy',
      image: 'r/ztunnel:1.30.3',
      grace,
      env: [{ name: 'TERMINATION_GRACE_PERIOD_SECONDS', value: envGrace }],
    });
  it('reads the env ztunnel uses and checks it against the pod grace and the CR', () => {
    const s = ztunnelDrainSettings(ds(300, '300'), 300);
    expect(s).toMatchObject({ deadlineSeconds: 295, problems: [] });
    const bad = ztunnelDrainSettings(ds(30, '30'), 300);
    expect(bad instanceof Error ? [] : bad.problems).toEqual([
      'pod terminationGracePeriodSeconds 30, ZTunnel CR asked for 300',
    ]);
  });
});

describe('ztunnelReplacements', () => {
  it('derives SIGTERM from deletionTimestamp − grace and pairs the new pod on the node', () => {
    const old = pod({
      name: 'ztunnel-old',
      namespace: 'ztunnel',
      node: 'worker-1',
      deletionTimestamp: '2026-08-22T10:00:30Z',
      deletionGracePeriodSeconds: 30,
    });
    const fresh = pod({
      name: 'ztunnel-new',
      namespace: 'ztunnel',
      node: 'worker-1',
      created: '2026-08-22T09:59:55Z',
      readyAt: '2026-08-22T09:59:58Z',
    });
    const other = pod({ name: 'ztunnel-w2', namespace: 'ztunnel', node: 'worker-2' });
    const r = ztunnelReplacements([old, fresh, other]);
    expect(r).toEqual([
      {
        node: 'worker-1',
        oldPod: 'ztunnel-old',
        sigtermAt: Date.parse('2026-08-22T10:00:00Z'),
        graceSeconds: 30,
        newPod: 'ztunnel-new',
        newPodReadyAt: Date.parse('2026-08-22T09:59:58Z'),
      },
    ]);
  });
});

describe('judgeConnectionPersistence', () => {
  const t0 = Date.parse('2026-08-22T10:00:00Z');
  const s = (sec: number) => t0 + sec * 1000;
  const replacement: ZtunnelReplacement = {
    node: 'worker-1',
    oldPod: 'ztunnel-old',
    sigtermAt: s(100),
    graceSeconds: 30,
    newPod: 'ztunnel-new',
    newPodReadyAt: s(98),
  };
  const base = {
    replacements: [replacement],
    clientNode: 'worker-1',
    serverNode: 'worker-2',
    deadlineSeconds: 25,
    graceSeconds: 30,
    toleranceMs: 1000,
  };
  const report = (long: object[], failed = 0) => ({
    long,
    new: {
      attempted: 100,
      succeeded: 100 - failed,
      failed,
      failures: failed ? [{ at: s(101), error: 'ECONNREFUSED' }] : [],
    },
  });

  it('a reset at exactly SIGTERM + deadline − tolerance is within the promise', () => {
    const r = judgeConnectionPersistence({
      ...base,
      connections: report([{ id: 'c1', opened: s(0), closed: s(124), outcome: 'reset', lastEcho: s(123.9) }]),
    });
    expect(r.ok).toBe(true);
  });

  it('a reset 1 ms earlier breaks rule 1', () => {
    const r = judgeConnectionPersistence({
      ...base,
      connections: report([
        { id: 'c1', opened: s(0), closed: s(124) - 1, outcome: 'reset', lastEcho: s(123) },
      ]),
    });
    expect(r.violations.map((v) => v.rule)).toEqual(['reset-before-deadline']);
    expect(r.connections[0]?.replacement?.oldPod).toBe('ztunnel-old');
  });

  it('a planned close before the deadline is fine', () => {
    expect(
      judgeConnectionPersistence({
        ...base,
        connections: report([
          { id: 'c1', opened: s(0), closed: s(101), outcome: 'closed', lastEcho: s(100.5) },
        ]),
      }).ok,
    ).toBe(true);
  });

  it('life after SIGTERM + grace + tolerance breaks rule 2 (boundary inclusive)', () => {
    const atEdge = report([{ id: 'c1', opened: s(0), outcome: 'open', lastEcho: s(131) }]);
    expect(judgeConnectionPersistence({ ...base, connections: atEdge }).ok).toBe(true);
    const past = report([{ id: 'c1', opened: s(0), outcome: 'open', lastEcho: s(131) + 1 }]);
    expect(judgeConnectionPersistence({ ...base, connections: past }).violations.map((v) => v.rule)).toEqual([
      'outlived-grace',
    ]);
  });

  it('a connection opened after the replacement is not governed by it; its reset is a violation', () => {
    const r = judgeConnectionPersistence({
      ...base,
      connections: report([{ id: 'late', opened: s(105), closed: s(110), outcome: 'reset' }]),
    });
    expect(r.violations.map((v) => v.rule)).toEqual(['reset-without-replacement']);
  });

  it('uses the first replacement on either node', () => {
    const server: ZtunnelReplacement = {
      ...replacement,
      node: 'worker-2',
      oldPod: 'ztunnel-srv',
      sigtermAt: s(50),
    };
    const r = judgeConnectionPersistence({
      ...base,
      replacements: [replacement, server],
      connections: report([{ id: 'c1', opened: s(0), closed: s(76), outcome: 'reset', lastEcho: s(75) }]),
    });
    expect(r.ok).toBe(true);
    expect(r.connections[0]?.replacement?.oldPod).toBe('ztunnel-srv');
  });

  it('any failed new connection breaks rule 3', () => {
    const r = judgeConnectionPersistence({ ...base, connections: report([], 1) });
    expect(r.violations.map((v) => v.rule)).toEqual(['new-connection-failed']);
    expect(r.violations[0]?.detail).toContain('ECONNREFUSED');
  });

  it('drain mode: a reset when neither node was drained breaks rule 4; on a drained node it is allowed', () => {
    const conns = report([{ id: 'c1', opened: s(0), closed: s(60), outcome: 'reset' }]);
    expect(
      judgeConnectionPersistence({
        ...base,
        mode: 'drain',
        drainedNodes: ['worker-3'],
        connections: conns,
      }).violations.map((v) => v.rule),
    ).toEqual(['reset-on-undrained-node']);
    expect(
      judgeConnectionPersistence({ ...base, mode: 'drain', drainedNodes: ['worker-1'], connections: conns })
        .ok,
    ).toBe(true);
  });

  it('an unreadable report is a failure, not a pass', () => {
    expect(judgeConnectionPersistence({ ...base, connections: { long: 'x' } }).ok).toBe(false);
  });
});
