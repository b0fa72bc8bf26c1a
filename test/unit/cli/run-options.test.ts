import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRunOptions, RUN_SCENARIOS } from '../../../cli/run-options.ts';
import { UserError } from '../../../helpers/errors.ts';

describe('run options', () => {
  it('default to all five scenarios on a 2-worker kind cluster with Sail 1.30.3', () => {
    const options = parseRunOptions({});
    expect(options).toMatchObject({
      scenarios: [...RUN_SCENARIOS],
      target: { provider: 'kind', registryMirror: false },
      workers: 2,
      operatorVersion: '1.30.3',
      keepCluster: false,
      allowSkew: false,
      reportsDir: resolve('reports'),
      timeoutScale: 1,
    });
    expect(RUN_SCENARIOS).toHaveLength(5);
  });

  it('take repeated --scenario, versions, and --kubeconfig as the existing provider', () => {
    const options = parseRunOptions({
      scenario: ['inplace', 'ztunnel-rolling', 'inplace'],
      from: '1.29.6',
      to: 'v1.30.3',
      kubeconfig: 'kc.yaml',
      context: 'lab',
      allowCluster: 'lab',
      timeoutScale: '2.5',
    });
    expect(options.scenarios).toEqual(['inplace', 'ztunnel-rolling']);
    expect(options.target).toEqual({
      provider: 'existing',
      kubeconfigPath: resolve('kc.yaml'),
      context: 'lab',
      allowCluster: 'lab',
    });
    expect(options.timeoutScale).toBe(2.5);
    expect(parseRunOptions({ workers: '3' }).workers).toBe(3);
  });

  it.each([
    [
      { scenario: ['inplace', 'blue-green'] },
      /^--scenario: unknown scenario "blue-green" — use one of inplace, /,
    ],
    [{ from: '1.29' }, /^--from: not an Istio version — use 1\.30\.3/],
    [{ to: 'latest' }, /^--to: not an Istio version/],
    [{ workers: '1' }, /^--workers: at least 2 workers/],
    [{ workers: 'two' }, /^--workers: not a number/],
    [{ workers: '2.5' }, /^--workers: not an integer/],
    [{ workers: '-3' }, /^--workers: at least 2 workers/],
    [{ workers: '21' }, /^--workers: at most 20 kind workers/],
    [{ kubeconfig: 'kc', workers: '3' }, /^--workers only apply to --provider kind/],
    [{ timeoutScale: '-2' }, /^--timeout-scale: must be above 0/],
    [{ timeoutScale: '0' }, /^--timeout-scale: must be above 0/],
    [{ operatorVersion: 'main' }, /^--operator-version: not a Sail chart version/],
    [{ k8sVersion: '1.36' }, /^--k8s-version: not a Kubernetes version/],
    [{ provider: 'k3d' }, /^--provider: unknown provider "k3d" — use kind, existing or kwok/],
    [{ provider: 'existing' }, /^--provider existing needs --kubeconfig <file>/],
    [
      { provider: 'kwok', kubeconfig: 'kc' },
      /^--kubeconfig names an existing cluster but --provider is kwok/,
    ],
    [{ podStages: 'delayed' }, /^--pod-stages applies to --provider kwok only/],
    [{ provider: 'kwok', podStages: 'slow' }, /^--pod-stages: not a stage timing — use fast or delayed/],
    [{ provider: 'kwok', nodeImage: 'x' }, /^--node-image do not apply to --provider kwok/],
    [
      { provider: 'kind', kubeconfig: 'kc' },
      /^--kubeconfig names an existing cluster but --provider is kind/,
    ],
    [
      { kubeconfig: 'kc', registryMirror: true, nodeImage: 'x' },
      /^--node-image, --registry-mirror only apply to --provider kind/,
    ],
    [{ allowCluster: 'prod' }, /^--context and --allow-cluster apply to an existing cluster/],
    [{ hub: 'quay.io/me' }, /^--hub and --tag name a custom operator image together/],
  ])('reject %o in one line', (flags, message) => {
    let error: unknown;
    try {
      parseRunOptions(flags);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).exitCode).toBe(2);
    expect((error as UserError).message).toMatch(message);
    expect((error as UserError).message).not.toContain('\n');
    expect((error as UserError).message).toContain(' — ');
  });
});

describe('run --provider kwok', () => {
  it('defaults to fast pod stages and resolves --operator-chart', () => {
    const options = parseRunOptions({ provider: 'kwok', operatorChart: 'charts/sail' });
    expect(options.target).toEqual({ provider: 'kwok', podStages: 'fast' });
    expect(options.operatorChart).toMatch(/\/charts\/sail$/);
    expect(parseRunOptions({ provider: 'kwok', podStages: 'delayed' }).target).toEqual({
      provider: 'kwok',
      podStages: 'delayed',
    });
  });
});
