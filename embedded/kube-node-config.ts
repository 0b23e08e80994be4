/**
 * The configuration files of the one-node Kubernetes (embedded/kube-node.ts): containerd's, the CNI
 * network's and the kubelet's. Every path lives under the node's data folder. The settings this machine kind needs
 * are the shared reference "k8s-real-node"'s ("Settings that mattered on this VM"); each is commented where it is
 * set.
 */
import { join } from 'node:path';

export interface NodeLayout {
  readonly dataDir: string;
  readonly containerdSocket: string;
  readonly cniConfDir: string;
  readonly kubeletRoot: string;
  readonly bridge: string;
  /** `10.202.0.0/24`-style; the bridge holds `.1`, which is also the node's address. */
  readonly subnet: string;
  readonly gateway: string;
  readonly pauseImage: string;
}

export function nodeLayout(dataDir: string, pauseImage: string): NodeLayout {
  return {
    dataDir,
    containerdSocket: join(dataDir, 'containerd', 'containerd.sock'),
    cniConfDir: join(dataDir, 'cni', 'net.d'),
    kubeletRoot: join(dataDir, 'kubelet'),
    bridge: 'cfnode0',
    // 10.200.0.x is the e2e game day's, 10.201.0.0/16 the namespace hosts': this one is the node's alone.
    subnet: '10.202.0.0/24',
    gateway: '10.202.0.1',
    pauseImage,
  };
}

export function containerdConfig(layout: NodeLayout): string {
  const d = layout.dataDir;
  const q = JSON.stringify;
  return `version = 2
root = ${q(join(d, 'containerd', 'root'))}
state = ${q(join(d, 'containerd', 'state'))}
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.zfs", "io.containerd.tracing.processor.v1.otlp"]

[grpc]
  address = ${q(layout.containerdSocket)}

[ttrpc]
  address = ${q(`${layout.containerdSocket}.ttrpc`)}

[metrics]
  address = ""

[plugins."io.containerd.internal.v1.opt"]
  path = ${q(join(d, 'containerd', 'opt'))}

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = ${q(layout.pauseImage)}
  # No CAP_SYS_RESOURCE on this VM: runc could not lower the sandbox's oom_score_adj.
  restrict_oom_score_adj = true
  disable_apparmor = true
  enable_selinux = false
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"

  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"

    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"

      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false

  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = ${q(layout.cniConfDir)}
`;
}

/**
 * A bridge network with host-local addresses. `isGateway: false` with the bridge created beforehand holding the
 * gateway address: `isGateway: true` would make the plugin set `net.ipv4.ip_forward=1` host-wide. The address
 * store lives in the data folder, not /var/lib/cni/networks.
 */
export function cniConfig(layout: NodeLayout): string {
  return `${JSON.stringify(
    {
      cniVersion: '0.4.0',
      name: 'chaosflow-node',
      plugins: [
        {
          type: 'bridge',
          bridge: layout.bridge,
          isGateway: false,
          ipMasq: false,
          hairpinMode: true,
          ipam: {
            type: 'host-local',
            dataDir: join(layout.dataDir, 'cni', 'ipam'),
            ranges: [[{ subnet: layout.subnet, gateway: layout.gateway }]],
          },
        },
      ],
    },
    null,
    2,
  )}\n`;
}

export interface KubeletPorts {
  readonly port: number;
  readonly healthzPort: number;
}

/**
 * The kubelet's configuration. Its API listens on the node's address (the apiserver reaches it there for logs)
 * with anonymous access: it is reachable only from this host and the node's own pods.
 */
export function kubeletConfig(layout: NodeLayout, ports: KubeletPorts): string {
  const d = layout.dataDir;
  return `${JSON.stringify(
    {
      apiVersion: 'kubelet.config.k8s.io/v1beta1',
      kind: 'KubeletConfiguration',
      // cgroup v1 here, and containerd 1.6 lacks the CRI RuntimeConfig call that would tell the driver.
      cgroupDriver: 'cgroupfs',
      failCgroupV1: false,
      failSwapOn: false,
      // No iptables chains on the host.
      makeIPTablesUtilChains: false,
      address: layout.gateway,
      port: ports.port,
      healthzBindAddress: '127.0.0.1',
      healthzPort: ports.healthzPort,
      readOnlyPort: 0,
      resolvConf: '',
      authentication: { anonymous: { enabled: true }, webhook: { enabled: false } },
      authorization: { mode: 'AlwaysAllow' },
      containerRuntimeEndpoint: `unix://${layout.containerdSocket}`,
      // A small disk must never evict the tests' pods or collect their images.
      evictionHard: {
        'memory.available': '1Mi',
        'nodefs.available': '1%',
        'nodefs.inodesFree': '1%',
        'imagefs.available': '1%',
      },
      imageGCHighThresholdPercent: 100,
      imageGCLowThresholdPercent: 99,
      volumePluginDir: join(d, 'kubelet-plugins'),
      podLogsDir: join(d, 'pod-logs'),
      serializeImagePulls: false,
      syncFrequency: '10s',
      fileCheckFrequency: '10s',
      nodeStatusUpdateFrequency: '2s',
      nodeStatusReportFrequency: '10s',
    },
    null,
    2,
  )}\n`;
}
