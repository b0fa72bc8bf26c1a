import { describe, expect, it } from 'vitest';
import { type HostProbe, kindHostWarnings } from '../../../clusters/kind/host-warnings.ts';
import { dockerLoadMethod, qualifyImage } from '../../../clusters/kind/images.ts';

function host(over: Partial<HostProbe> & { files?: Record<string, string>; modules?: string[] }): HostProbe {
  return {
    platform: 'linux',
    readFile: async (path) => over.files?.[path],
    exists: async (path) => (over.modules ?? []).some((m) => path === `/sys/module/${m}`),
    podmanInfo: async () => undefined,
    ...over,
  };
}

describe('kind host warnings (before anything is created)', () => {
  it('warns when inotify limits are below what kind recommends for a multi-node cluster, with the fix', async () => {
    const low = host({
      files: {
        '/proc/sys/fs/inotify/max_user_watches': '8192\n',
        '/proc/sys/fs/inotify/max_user_instances': '128\n',
      },
    });
    const [warning, ...rest] = await kindHostWarnings('docker', 3, low);
    expect(rest).toEqual([]);
    expect(warning).toBe(
      'inotify limits are low for a 3-node kind cluster: fs.inotify.max_user_watches=8192 (kind recommends 524288), fs.inotify.max_user_instances=128 (kind recommends 512) — pods may fail with "too many open files"; raise them: sudo sysctl fs.inotify.max_user_watches=524288; sudo sysctl fs.inotify.max_user_instances=512',
    );
    const enough = host({
      files: {
        '/proc/sys/fs/inotify/max_user_watches': '524288',
        '/proc/sys/fs/inotify/max_user_instances': '8192',
      },
    });
    expect(await kindHostWarnings('docker', 3, enough)).toEqual([]);
    expect(await kindHostWarnings('docker', 3, { ...low, platform: 'darwin' })).toEqual([]);
  });

  it('warns about rootless Podman without the kernel modules ambient needs, naming the missing ones', async () => {
    const rootless = JSON.stringify({ host: { security: { rootless: true } } });
    const probe = host({
      podmanInfo: async () => rootless,
      modules: ['ip_tables', 'iptable_nat', 'ip6_tables', 'ip6table_nat'],
    });
    expect(await kindHostWarnings('podman', 3, probe)).toEqual([
      "rootless Podman cannot load kernel modules and iptable_mangle, ip6table_mangle are not loaded — ambient mode's traffic redirection will fail in the nodes; load them first: sudo modprobe -a iptable_mangle ip6table_mangle",
    ]);
    const rootful = host({
      podmanInfo: async () => JSON.stringify({ host: { security: { rootless: false } } }),
    });
    expect(await kindHostWarnings('podman', 3, rootful)).toEqual([]);
  });
});

describe('image names and load methods', () => {
  it('fully qualifies short names for Podman short-name mode', () => {
    expect(qualifyImage('curlimages/curl:8.16.0')).toBe('docker.io/curlimages/curl:8.16.0');
    expect(qualifyImage('nginx')).toBe('docker.io/library/nginx:latest');
    expect(qualifyImage('registry.istio.io/release/examples-bookinfo-ratings-v1:1.20.3')).toBe(
      'registry.istio.io/release/examples-bookinfo-ratings-v1:1.20.3',
    );
    expect(qualifyImage('localhost:5000/app')).toBe('localhost:5000/app:latest');
    expect(qualifyImage(`busybox@sha256:${'c'.repeat(64)}`)).toBe(
      `docker.io/library/busybox@sha256:${'c'.repeat(64)}`,
    );
  });

  it('reads the image store from docker info', () => {
    const containerd = (version: string) =>
      JSON.stringify({
        ServerVersion: version,
        Architecture: 'x86_64',
        DriverStatus: [['driver-type', 'io.containerd.snapshotter.v1']],
      });
    expect(dockerLoadMethod(containerd('29.1.0'))).toEqual({
      kind: 'platform-archive',
      platform: 'linux/amd64',
    });
    expect(dockerLoadMethod(containerd('27.5.1'))).toEqual({
      kind: 'docker-image-old-engine',
      serverVersion: '27.5.1',
    });
    expect(
      dockerLoadMethod(
        JSON.stringify({
          ServerVersion: '29.1.0',
          Driver: 'overlay2',
          DriverStatus: [['Backing Filesystem', 'extfs']],
        }),
      ),
    ).toEqual({ kind: 'docker-image' });
    expect(dockerLoadMethod('not json')).toEqual({ kind: 'docker-image' });
  });
});
