import { describe, expect, it } from 'vitest';
import {
  drainDeadlineSeconds,
  judgeConnectionPersistence,
  type PersistenceInput,
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

  it('life after SIGTERM + drain deadline + tolerance breaks rule 2 (boundary inclusive), not the grace', () => {
    // ztunnel force-closes at the deadline (25 s of a 30 s grace): an echo at 28 s did not cross the old ztunnel.
    const atEdge = report([{ id: 'c1', opened: s(0), outcome: 'open', lastEcho: s(126) }]);
    expect(judgeConnectionPersistence({ ...base, connections: atEdge }).ok).toBe(true);
    const past = report([{ id: 'c1', opened: s(0), outcome: 'open', lastEcho: s(126) + 1 }]);
    const judged = judgeConnectionPersistence({ ...base, connections: past });
    expect(judged.violations.map((v) => v.rule)).toEqual(['outlived-grace']);
    expect(judged.violations[0]?.detail).toContain('drain deadline 25s + tolerance 1000ms');
    const beforeGrace = report([{ id: 'c1', opened: s(0), outcome: 'open', lastEcho: s(128) }]);
    expect(judgeConnectionPersistence({ ...base, connections: beforeGrace }).ok).toBe(false);
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

  describe('new connections during a rollout: one failure per replacement, inside its drain window', () => {
    const failures = (...ats: number[]) => ({
      long: [],
      new: {
        attempted: 100,
        succeeded: 100 - ats.length,
        failed: ats.length,
        failures: ats.map((at) => ({ at, error: 'ECONNRESET' })),
      },
    });
    const judge = (connections: unknown, extra: Partial<PersistenceInput> = {}) =>
      judgeConnectionPersistence({ ...base, ...extra, connections });

    it('one failure inside [SIGTERM, SIGTERM + deadline] of a replacement on the pair is within budget', () => {
      const r = judge(failures(s(101)));
      expect(r.ok).toBe(true);
      expect(r.newConnections).toMatchObject({ failed: 1, zeroFailure: false, outside: [] });
      expect(r.newConnections?.budgeted).toEqual([
        { at: s(101), error: 'ECONNRESET', replacement: 'ztunnel-old on worker-1' },
      ]);
    });

    it('a second failure on the same replacement fails the check', () => {
      const r = judge(failures(s(101), s(110)));
      expect(r.violations.map((v) => v.rule)).toEqual(['new-connection-failed']);
      expect(r.violations[0]?.detail).toContain('1 outside the budget');
    });

    it('a failure before SIGTERM or after the deadline window fails, even alone', () => {
      expect(judge(failures(s(99))).ok).toBe(false);
      expect(judge(failures(s(126) + 1)).ok).toBe(false); // 25 s deadline + 1 s timestamp resolution
      expect(judge(failures(s(126))).ok).toBe(true);
    });

    it('a replacement on a node the pair does not use buys nothing', () => {
      const elsewhere = { ...replacement, node: 'worker-3', oldPod: 'ztunnel-w3' };
      expect(judge(failures(s(101)), { replacements: [elsewhere] }).ok).toBe(false);
    });

    it('two replacements (client and server node) allow one failure each, overlapping windows included', () => {
      const server = { ...replacement, node: 'worker-2', oldPod: 'ztunnel-srv', sigtermAt: s(110) };
      const r = judge(failures(s(111), s(112)), { replacements: [replacement, server] });
      expect(r.ok).toBe(true);
      expect(r.newConnections?.budgeted.map((b) => b.replacement).sort()).toEqual([
        'ztunnel-old on worker-1',
        'ztunnel-srv on worker-2',
      ]);
      expect(judge(failures(s(111), s(112), s(113)), { replacements: [replacement, server] }).ok).toBe(false);
    });

    it('failures the probe counted without a time fail the check', () => {
      const r = judge({ long: [], new: { attempted: 10, succeeded: 9, failed: 1, failures: [] } });
      expect(r.ok).toBe(false);
      expect(r.violations[0]?.detail).toContain('1 without a recorded time');
    });

    it('zero failures is reported as met', () => {
      expect(judge(failures()).newConnections).toMatchObject({ failed: 0, zeroFailure: true });
    });

    it('node-drain mode allows no new-connection failure at all', () => {
      expect(judge(failures(s(101)), { mode: 'drain', drainedNodes: [] }).ok).toBe(false);
    });
  });

  it('a replacement whose pod had another grace than the plan judges with is a finding', () => {
    const r = judgeConnectionPersistence({
      ...base,
      replacements: [{ ...replacement, graceSeconds: 300 }],
      connections: report([]),
    });
    expect(r.violations.map((v) => v.rule)).toEqual(['replacement-grace-differs']);
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
