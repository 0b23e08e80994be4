/**
 * A real one-node Kubernetes for the tests that touch pods and the Kubernetes demo (kube-playground.ts): etcd and kube-apiserver (embedded/kube-apiserver.ts)
 * plus containerd, runc, the CNI bridge plugin and a kubelet, everything under one data folder. Pods really run:
 * they get an address on the node's bridge (10.202.0.0/24, reachable from the host) and the kubelet restarts their
 * containers. There is no scheduler: pods name the node (`spec.nodeName`, see `podOnNode`), and pods that do not
 * (a Task's pod, which chaosflow creates as for any cluster) are bound to it by the harness, every 250 ms.
 *
 *   const node = await startKubeNode();
 *   afterAll(() => node.stop());
 *
 * `stop()` leaves nothing behind, in the order the shared reference "k8s-real-node" found to work: pods deleted
 * (grace 0) → kubelet stopped → leftover CRI tasks killed → apiserver, etcd, containerd stopped → this
 * containerd's shims killed → mounts under the data folder unmounted, deepest first → veths and bridge deleted →
 * cgroups, host folders and sysctls restored (kube-node-host-state.ts). `leftovers()` lists what is still there.
 *
 * One node per machine at a time (the kubelet's cgroups and host folders are global): a lock in /run serialises
 * test files that start one; what a run killed before its teardown left is cleaned up by the next (kube-node-lock.ts).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
  type V1Pod,
  type V1PodSpec,
} from '@kubernetes/client-node';
import { DAEMON_PORT_ANNOTATION } from '../activities/targets/kubernetes-source.js';
import { errorMessage } from '../common/errors/chaosflow-error.js';
import { freePort } from './free-port.js';
import { ManagedProcess } from './managed-process.js';
import { startKubeApiServer, type TestKubeApiServer } from './kube-apiserver.js';
import {
  containerdConfig,
  cniConfig,
  kubeletConfig,
  nodeLayout,
  type NodeLayout,
} from './kube-node-config.js';
import { hostStateChanges, restoreHostState, type HostState } from './kube-node-host-state.js';
import { acquireNodeLock, type LockRecord } from './kube-node-lock.js';
import { missingTools, requireTool, toolsDir } from './installed-tools.js';

const run = promisify(execFile);

export const NODE_NAME = 'chaosflow-node';
/** The images the installer builds (scripts/tools/install.sh kube-node); pods use `imagePullPolicy: Never`. */
export const PAUSE_IMAGE = 'local.test/pause:1';
export const BUSYBOX_IMAGE = 'local.test/busybox:1';
/** busybox's httpd serving "chaosflow web" on port 8080 as the image's entrypoint (no command needed). */
export const WEB_IMAGE = 'local.test/web:1';
const IMAGES = ['pause', 'busybox', 'web'] as const;
const AGENT_NAMESPACE = 'chaosflow-system';

export interface KubeNode {
  readonly kube: TestKubeApiServer;
  readonly core: CoreV1Api;
  readonly nodeName: string;
  /** The node's address (the bridge's): where pods see the host from. */
  readonly nodeIp: string;
  readonly layout: NodeLayout;
  /** Milliseconds from the start until the node was Ready. */
  readonly startupMs: number;
  /** `ctr` against this node's containerd, in the CRI namespace `k8s.io`. */
  ctr(args: readonly string[]): Promise<string>;
  /** Creates the pod on this node and waits until all its containers are ready. */
  runPod(namespace: string, pod: V1Pod, timeoutMs?: number): Promise<V1Pod>;
  /** Polls the pod until `ready(pod)` holds; returns it. */
  waitForPod(
    namespace: string,
    name: string,
    ready: (pod: V1Pod | undefined) => boolean,
    timeoutMs?: number,
  ): Promise<V1Pod | undefined>;
  /**
   * An HTTP GET of `url` from inside a running container (`containerd://<id>`, with busybox's `wget`), cut after
   * 2 s: `ok`, `timeout`, or `error` (refused, not found, ...). A request from another pod, as a partition sees it.
   */
  requestFrom(containerId: string, url: string): Promise<'ok' | 'timeout' | 'error'>;
  /** The host pid of a running container (`containerd://<id>` or the bare id), from its containerd task. */
  containerPid(containerId: string): Promise<number>;
  /**
   * Registers a chaosflow agent running as a host process on this node, as the agent DaemonSet of `deploy/`
   * would appear: a host-network pod labelled `app.kubernetes.io/name=chaosflow-agent` (its address is the
   * node's) with the agent's port in `chaosflow.dev/daemon-port`; it runs the pause image, the agent itself
   * runs outside (listening on `nodeIp:port`).
   */
  registerAgent(port: number): Promise<void>;
  /** What is still there that should not be, one sentence each; empty after `stop()`. */
  leftovers(): Promise<string[]>;
  stop(): Promise<void>;
}

/** Why the real node cannot run here, or undefined when it can. */
export function kubeNodeUnavailableReason(): string | undefined {
  if (process.platform !== 'linux') return 'a kubelet needs Linux';
  if (process.getuid?.() !== 0) return 'containerd and the kubelet need root';
  const missing = missingTools(['etcd', 'kube-apiserver', 'kubelet', 'containerd', 'ctr']);
  if (missing) return missing;
  for (const file of ['/usr/lib/cni/bridge', '/usr/lib/cni/host-local', '/usr/lib/cni/loopback']) {
    if (!existsSync(file)) return `${file} is missing (run \`sh scripts/tools/install.sh kube-node\`)`;
  }
  for (const image of IMAGES) {
    const file = join(toolsDir(), 'images', `${image}.tar`);
    if (!existsSync(file)) return `${file} is missing (run \`sh scripts/tools/install.sh kube-node\`)`;
  }
  return undefined;
}

/** A pod for this node: `nodeName` set (no scheduler), images never pulled, no service account token. */
export function podOnNode(
  name: string,
  spec: Omit<V1PodSpec, 'nodeName'>,
  labels: Record<string, string> = {},
): V1Pod {
  return {
    metadata: { name, labels },
    spec: {
      terminationGracePeriodSeconds: 2,
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      ...spec,
      nodeName: NODE_NAME,
      containers: spec.containers.map((c) => ({ imagePullPolicy: 'Never', ...c })),
      ...(spec.initContainers
        ? { initContainers: spec.initContainers.map((c) => ({ imagePullPolicy: 'Never', ...c })) }
        : {}),
    },
  };
}

/** A busybox httpd serving "chaosflow web" on port 8080. */
export function webPod(name: string, labels: Record<string, string> = { app: 'web' }): V1Pod {
  return podOnNode(
    name,
    {
      containers: [
        {
          name: 'web',
          image: WEB_IMAGE,
          ports: [{ containerPort: 8080 }],
          readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 },
        },
      ],
    },
    labels,
  );
}

export async function startKubeNode(options: { startTimeoutMs?: number } = {}): Promise<KubeNode> {
  const reason = kubeNodeUnavailableReason();
  if (reason) throw new Error(`cannot start the one-node Kubernetes: ${reason}`);
  const started = Date.now();
  const deadline = started + (options.startTimeoutMs ?? 120_000);
  const lock = await acquireNodeLock(deadline, cleanStaleRun);
  const releaseLock = (): Promise<void> => lock.release();
  const host = lock.host;
  const dataDir = await mkdtemp(join(tmpdir(), 'chaosflow-node-'));
  await lock.addDir(dataDir);
  const layout = nodeLayout(dataDir, PAUSE_IMAGE);
  const containerdBin = requireTool('containerd');
  const ctrBin = requireTool('ctr');
  const ctr = async (args: readonly string[]): Promise<string> =>
    (await run(ctrBin, ['--address', layout.containerdSocket, '--namespace', 'k8s.io', ...args])).stdout;

  let kube: TestKubeApiServer | undefined;
  let containerd: ManagedProcess | undefined;
  let kubelet: ManagedProcess | undefined;
  let binder: (() => void) | undefined;
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    binder?.();
    return (stopped ??= teardown({ layout, host, ctr, kube, containerd, kubelet, releaseLock }));
  };

  try {
    await removeStaleBridge(layout.bridge);
    await run('ip', ['link', 'add', layout.bridge, 'type', 'bridge']);
    await run('ip', ['addr', 'add', `${layout.gateway}/24`, 'dev', layout.bridge]);
    await run('ip', ['link', 'set', layout.bridge, 'up']);
    await mkdir(layout.cniConfDir, { recursive: true });
    await writeFile(join(layout.cniConfDir, '10-chaosflow.conflist'), cniConfig(layout));
    await writeFile(join(dataDir, 'containerd.toml'), containerdConfig(layout));

    // The kubelet's address is the node's InternalIP (its hostname resolves nowhere): for logs and exec.
    const apiserver = startKubeApiServer({
      startTimeoutMs: deadline - Date.now(),
      extraApiServerArgs: ['--kubelet-preferred-address-types=InternalIP'],
    });
    apiserver.catch(() => undefined);
    containerd = ManagedProcess.start({
      name: 'containerd',
      command: containerdBin,
      args: ['--config', join(dataDir, 'containerd.toml'), '--log-level', 'warn'],
      logFile: join(dataDir, 'containerd.log'),
    });
    const c = containerd;
    await waitFor('containerd', deadline, [c], async () => {
      await ctr(['version']);
      return true;
    });
    for (const image of IMAGES) {
      await ctr(['images', 'import', join(toolsDir(), 'images', `${image}.tar`)]);
    }
    kube = await apiserver;
    await lock.addDir(kube.dir);
    const [port = 0, healthzPort = 0] = await distinctFreePorts(2);
    await writeFile(join(dataDir, 'kubelet.json'), kubeletConfig(layout, { port, healthzPort }));
    kubelet = ManagedProcess.start({
      name: 'kubelet',
      command: requireTool('kubelet'),
      args: [
        `--config=${join(dataDir, 'kubelet.json')}`,
        `--kubeconfig=${kube.kubeconfigFile}`,
        `--root-dir=${layout.kubeletRoot}`,
        `--hostname-override=${NODE_NAME}`,
        `--node-ip=${layout.gateway}`,
        '--v=1',
      ],
      logFile: join(dataDir, 'kubelet.log'),
    });
    const core = kube.kubeConfig.makeApiClient(CoreV1Api);
    const k = kubelet;
    await waitFor('the node to be Ready', deadline, [c, k], async () => {
      const node = await core.readNode({ name: NODE_NAME });
      return node.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True') ?? false;
    });
    // The not-ready taint stays without a controller-manager; pods name the node, but remove it anyway.
    binder = bindPendingPods(core);
    await core.patchNode(
      { name: NODE_NAME, body: [{ op: 'replace', path: '/spec/taints', value: [] }] },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );

    const waitForPod: KubeNode['waitForPod'] = async (namespace, name, ready, timeoutMs = 60_000) => {
      const until = Date.now() + timeoutMs;
      let pod: V1Pod | undefined;
      for (;;) {
        pod = await core.readNamespacedPod({ namespace, name }).catch(() => undefined);
        if (ready(pod)) return pod;
        if (Date.now() > until) {
          throw new Error(
            `timed out waiting for pod ${namespace}/${name}; last status: ${JSON.stringify(pod?.status ?? 'gone')}`,
          );
        }
        await sleep(250);
      }
    };
    const node: KubeNode = {
      kube,
      core,
      nodeName: NODE_NAME,
      nodeIp: layout.gateway,
      layout,
      startupMs: Date.now() - started,
      ctr,
      runPod: async (namespace, pod, timeoutMs) => {
        await core.createNamespacedPod({ namespace, body: pod });
        return (await waitForPod(namespace, pod.metadata?.name ?? '', podReady, timeoutMs)) as V1Pod;
      },
      waitForPod,
      requestFrom: async (containerId, url) => {
        try {
          await ctr([
            'tasks',
            'exec',
            '--exec-id',
            `probe-${randomBytes(4).toString('hex')}`,
            containerId.replace(/^[a-z-]+:\/\//, ''),
            // busybox's timeout, not wget's -T, which crashes Debian's busybox-static with SIGSEGV.
            'sh',
            '-c',
            'timeout 2 wget -q -O /dev/null "$0"; code=$?; [ $code -ge 124 ] && echo timed out >&2; exit $code',
            url,
          ]);
          return 'ok';
        } catch (err) {
          const text = String((err as { stderr?: unknown }).stderr ?? err);
          return /timed out/i.test(text) ? 'timeout' : 'error';
        }
      },
      containerPid: async (containerId) => {
        const id = containerId.replace(/^[a-z-]+:\/\//, '');
        const line = (await ctr(['tasks', 'ls']))
          .split('\n')
          .map((l) => l.trim().split(/\s+/))
          .find((cols) => cols[0] === id);
        const pid = Number(line?.[1]);
        if (!Number.isInteger(pid) || pid <= 0) throw new Error(`container ${id} has no running task`);
        return pid;
      },
      registerAgent: async (port) => {
        await core.createNamespace({ body: { metadata: { name: AGENT_NAMESPACE } } }).catch(() => undefined);
        const pod = podOnNode(
          `chaosflow-agent-${port}`,
          { hostNetwork: true, containers: [{ name: 'agent', image: PAUSE_IMAGE }] },
          { 'app.kubernetes.io/name': 'chaosflow-agent' },
        );
        pod.metadata = { ...pod.metadata, annotations: { [DAEMON_PORT_ANNOTATION]: String(port) } };
        await core.createNamespacedPod({ namespace: AGENT_NAMESPACE, body: pod });
        await waitForPod(AGENT_NAMESPACE, pod.metadata.name ?? '', podReady);
      },
      leftovers: () => leftovers(layout, host),
      stop,
    };
    return node;
  } catch (err) {
    const logs = await Promise.all(
      [containerd, kubelet]
        .flatMap((p) => (p ? [p] : []))
        .map(async (p) => `--- ${p.options.name} log:\n${await p.tail(30)}`),
    );
    await stop().catch((e: unknown) => logs.push(`--- teardown: ${errorMessage(e)}`));
    throw new Error(`${errorMessage(err)}\n${logs.join('\n')}`, { cause: err });
  }
}

/** Binds pods without a node to this one (what a scheduler would do); returns the function that stops it. */
function bindPendingPods(core: CoreV1Api): () => void {
  let stopped = false;
  const tick = async (): Promise<void> => {
    const pending = await core
      .listPodForAllNamespaces({ fieldSelector: 'spec.nodeName=' })
      .catch(() => ({ items: [] as V1Pod[] }));
    for (const pod of pending.items) {
      const name = pod.metadata?.name ?? '';
      const namespace = pod.metadata?.namespace ?? '';
      if (pod.metadata?.deletionTimestamp) continue;
      await core
        .createNamespacedPodBinding({
          name,
          namespace,
          body: { metadata: { name }, target: { apiVersion: 'v1', kind: 'Node', name: NODE_NAME } },
        })
        .catch(() => undefined);
    }
  };
  const loop = async (): Promise<void> => {
    while (!stopped) {
      await tick();
      await sleep(250);
    }
  };
  void loop();
  return () => {
    stopped = true;
  };
}

export function podReady(pod: V1Pod | undefined): boolean {
  return (
    pod?.status?.phase === 'Running' &&
    (pod.status.containerStatuses ?? []).length > 0 &&
    (pod.status.containerStatuses ?? []).every((c) => c.ready)
  );
}

interface TeardownParts {
  layout: NodeLayout;
  host: HostState;
  ctr: (args: readonly string[]) => Promise<string>;
  kube: TestKubeApiServer | undefined;
  containerd: ManagedProcess | undefined;
  kubelet: ManagedProcess | undefined;
  releaseLock: () => Promise<void>;
}

async function teardown(parts: TeardownParts): Promise<void> {
  const { layout, host, ctr, kube, containerd, kubelet } = parts;
  const failures: string[] = [];
  const attempt = async (what: string, step: () => Promise<unknown>): Promise<void> => {
    try {
      await step();
    } catch (err) {
      failures.push(`${what}: ${errorMessage(err)}`);
    }
  };
  const containerdUp = (): boolean => containerd?.alive ?? false;
  if (kube && kubelet?.alive) {
    const core = kube.kubeConfig.makeApiClient(CoreV1Api);
    await attempt('delete the pods', async () => {
      const pods = await core.listPodForAllNamespaces({});
      await Promise.all(
        pods.items.map((p) =>
          core
            .deleteNamespacedPod({
              name: p.metadata?.name ?? '',
              namespace: p.metadata?.namespace ?? '',
              gracePeriodSeconds: 0,
            })
            .catch(() => undefined),
        ),
      );
    });
    // The kubelet stops the sandboxes itself (CNI DEL, netns removed): give it a moment.
    const until = Date.now() + 20_000;
    while (containerdUp() && Date.now() < until) {
      const tasks = await ctr(['tasks', 'ls', '-q']).catch(() => '');
      if (tasks.trim() === '') break;
      await sleep(250);
    }
  }
  if (kubelet) await attempt('stop the kubelet', () => kubelet.stop());
  if (containerdUp()) {
    await attempt('remove the leftover CRI tasks', async () => {
      const tasks = (await ctr(['tasks', 'ls', '-q'])).split('\n').filter(Boolean);
      for (const id of tasks) {
        await ctr(['tasks', 'kill', '--signal', 'SIGKILL', id]).catch(() => undefined);
        await ctr(['tasks', 'delete', '--force', id]).catch(() => undefined);
      }
      const containers = (await ctr(['containers', 'ls', '-q'])).split('\n').filter(Boolean);
      for (const id of containers) await ctr(['containers', 'delete', id]).catch(() => undefined);
    });
  }
  if (kube) await attempt('stop the apiserver', () => kube.stop());
  if (containerd) await attempt('stop containerd', () => containerd.stop());
  await attempt('kill the shims', () => killShims(layout.containerdSocket));
  await attempt('unmount the data folder', () => unmountUnder(layout.dataDir));
  await attempt('delete the veths and the bridge', () => removeBridge(layout.bridge));
  await attempt('restore the host', () => restoreHostState(host));
  await attempt('remove the data folder', () => rm(layout.dataDir, { recursive: true, force: true }));
  await parts.releaseLock();
  if (failures.length > 0)
    throw new Error(`the one-node Kubernetes left something behind: ${failures.join('; ')}`);
}

async function leftovers(layout: NodeLayout, host: HostState): Promise<string[]> {
  const found = await hostStateChanges(host);
  for (const pid of await processesMentioning([layout.dataDir, layout.containerdSocket])) {
    found.push(`process ${pid} (${await commandLine(pid)}) is still running`);
  }
  for (const mount of await mountsUnder(layout.dataDir)) found.push(`${mount} is still mounted`);
  if (existsSync(`/sys/class/net/${layout.bridge}`)) found.push(`bridge ${layout.bridge} still exists`);
  if (existsSync(layout.dataDir)) found.push(`data folder ${layout.dataDir} still exists`);
  return found;
}

/**
 * What a run killed before its teardown left: its processes (containerd, kubelet, shims, etcd, apiserver: all
 * name one of its folders or its socket), mounts, bridge, cgroups, host folders and sysctls, and its folders.
 */
async function cleanStaleRun(stale: LockRecord): Promise<void> {
  for (const pid of await processesMentioning(stale.dirs)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  const until = Date.now() + 5000;
  while ((await processesMentioning(stale.dirs)).length > 0 && Date.now() < until) await sleep(100);
  for (const dir of stale.dirs) await unmountUnder(dir).catch(() => undefined);
  await removeStaleBridge(nodeLayout('/', PAUSE_IMAGE).bridge).catch(() => undefined);
  await restoreHostState(stale.host).catch(() => undefined);
  for (const dir of stale.dirs) await rm(dir, { recursive: true, force: true });
}

/** A bridge left by a crashed run (the lock says none is running now). */
async function removeStaleBridge(bridge: string): Promise<void> {
  if (existsSync(`/sys/class/net/${bridge}`)) await removeBridge(bridge);
}

async function removeBridge(bridge: string): Promise<void> {
  if (!existsSync(`/sys/class/net/${bridge}`)) return;
  const ports = await readdir(`/sys/class/net/${bridge}/brif`).catch(() => [] as string[]);
  for (const port of ports) await run('ip', ['link', 'delete', port]).catch(() => undefined);
  await run('ip', ['link', 'delete', bridge]);
}

/** containerd-shim-runc-v2 processes started by this containerd (their `-address` is its socket). */
async function killShims(socket: string): Promise<void> {
  const shims = await processesMentioning([socket]);
  for (const pid of shims) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  const until = Date.now() + 5000;
  while ((await processesMentioning([socket])).length > 0 && Date.now() < until) await sleep(100);
}

async function processesMentioning(needles: readonly string[]): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    const cmd = await commandLine(pid);
    if (needles.some((n) => cmd.includes(n))) pids.push(pid);
  }
  return pids;
}

async function commandLine(pid: number): Promise<string> {
  return (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).replace(/\0/g, ' ').trim();
}

async function mountsUnder(dir: string): Promise<string[]> {
  const text = await readFile('/proc/self/mountinfo', 'utf8');
  return text
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .map((p) => p.replace(/\\040/g, ' '))
    .filter((p) => p === dir || p.startsWith(`${dir}/`));
}

/** Deepest first; a busy mount is detached lazily (its last user is exiting). */
async function unmountUnder(dir: string): Promise<void> {
  for (let round = 0; round < 5; round++) {
    const mounts = (await mountsUnder(dir)).sort((a, b) => b.length - a.length);
    if (mounts.length === 0) return;
    for (const mount of mounts) {
      await run('umount', [mount]).catch(() => run('umount', ['-l', mount]).catch(() => undefined));
    }
  }
  const left = await mountsUnder(dir);
  if (left.length > 0) throw new Error(`still mounted: ${left.join(', ')}`);
}

async function waitFor(
  what: string,
  deadline: number,
  processes: readonly ManagedProcess[],
  check: () => Promise<boolean>,
): Promise<void> {
  let lastError: unknown;
  for (;;) {
    const dead = processes.find((p) => !p.alive);
    if (dead) throw new Error(`${dead.options.name} exited while waiting for ${what}`);
    try {
      if (await check()) return;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out waiting for ${what}${lastError ? ` (last error: ${errorMessage(lastError)})` : ''}`,
      );
    }
    await sleep(200);
  }
}

async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
