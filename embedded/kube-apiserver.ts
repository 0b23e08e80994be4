/**
 * A real kube-apiserver with its own etcd on 127.0.0.1 for one test file (envtest-style, no controllers,
 * scheduler or kubelet: pods stay Pending and namespaces cannot be deleted, so use `freshNamespace()`).
 * Authentication is a bearer token of a `system:masters` user; the client trusts the serving certificate the
 * apiserver generates for itself (no skip-verify). See shared reference "k8s-test-apiserver" §2.3 and §4.6.
 *
 *   const kube = await startKubeApiServer();
 *   afterAll(() => kube.stop());
 *   const core = kube.kubeConfig.makeApiClient(CoreV1Api);
 */
import { errorMessage } from '../common/errors/chaosflow-error.js';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, Health, KubeConfig, type V1CustomResourceDefinition } from '@kubernetes/client-node';
import { freePort } from './free-port.js';
import { ManagedProcess } from './managed-process.js';
import { applyCrdFiles } from './apply-crds.js';
import { requireTool } from './installed-tools.js';

export interface KubeApiServerOptions {
  /** Budget for etcd and the apiserver to become ready. Default 60 s (2-core machines). */
  startTimeoutMs?: number;
  /** Appended to the kube-apiserver command line (e.g. `--feature-gates=...`). */
  extraApiServerArgs?: readonly string[];
}

export interface TestKubeApiServer {
  /** Cluster `https://127.0.0.1:<port>`, CA = the apiserver's own certificate, user = bearer token. */
  readonly kubeConfig: KubeConfig;
  /** `https://127.0.0.1:<port>` (no trailing slash). */
  readonly server: string;
  readonly token: string;
  /** The same admin access as a kubeconfig file, for processes (kubectl, the controller, a worker). */
  readonly kubeconfigFile: string;
  /** The apiserver's self-generated serving certificate followed by its CA: trust it as the CA bundle. */
  readonly caFile: string;
  /** Temp dir holding etcd data, keys, certificates and the logs `etcd.log` and `kube-apiserver.log`. */
  readonly dir: string;
  /** Milliseconds from spawning etcd until namespace `default` could be read. */
  readonly startupMs: number;
  readonly etcd: ManagedProcess;
  readonly apiserver: ManagedProcess;
  /** Creates (or replaces) the CRDs in these YAML files and waits until they are Established. */
  applyCrds(files: readonly string[], timeoutMs?: number): Promise<V1CustomResourceDefinition[]>;
  /** Creates a namespace with a unique name (`<prefix>-<random>`) and returns its name. */
  freshNamespace(prefix?: string): Promise<string>;
  /** SIGTERM kube-apiserver, then etcd; removes the temp dir. Safe to call twice. */
  stop(): Promise<void>;
}

export async function startKubeApiServer(options: KubeApiServerOptions = {}): Promise<TestKubeApiServer> {
  const etcdBin = requireTool('etcd');
  const apiserverBin = requireTool('kube-apiserver');
  const timeoutMs = options.startTimeoutMs ?? 60_000;
  const started = Date.now();
  const deadline = started + timeoutMs;

  const dir = await mkdtemp(join(tmpdir(), 'chaosflow-kube-'));
  const pki = join(dir, 'pki');
  await mkdir(pki);
  const [etcdPort, peerPort, apiPort] = await distinctFreePorts(3);
  const token = randomBytes(24).toString('hex');
  const { privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  });
  await writeFile(join(dir, 'sa.key'), privateKey, { mode: 0o600 });
  await writeFile(join(dir, 'tokens.csv'), `${token},admin,admin-uid,"system:masters"\n`, { mode: 0o600 });

  const etcdUrl = `http://127.0.0.1:${etcdPort}`;
  const peerUrl = `http://127.0.0.1:${peerPort}`;
  const etcd = ManagedProcess.start({
    name: 'etcd',
    command: etcdBin,
    args: [
      '--name=default',
      `--data-dir=${join(dir, 'etcd')}`,
      `--listen-client-urls=${etcdUrl}`,
      `--advertise-client-urls=${etcdUrl}`,
      `--listen-peer-urls=${peerUrl}`,
      `--initial-advertise-peer-urls=${peerUrl}`,
      `--initial-cluster=default=${peerUrl}`,
      '--unsafe-no-fsync',
      '--logger=zap',
      '--log-level=warn',
    ],
    logFile: join(dir, 'etcd.log'),
  });
  let apiserver: ManagedProcess | undefined;
  const processes = (): ManagedProcess[] => (apiserver ? [apiserver, etcd] : [etcd]);
  const server = `https://127.0.0.1:${apiPort}`;
  const caFile = join(pki, 'apiserver.crt');

  try {
    await waitUntil('etcd /health', deadline, processes, async () => {
      const response = await fetch(`${etcdUrl}/health`);
      return response.status === 200;
    });
    apiserver = ManagedProcess.start({
      name: 'kube-apiserver',
      command: apiserverBin,
      args: [
        `--etcd-servers=${etcdUrl}`,
        '--bind-address=127.0.0.1',
        `--secure-port=${apiPort}`,
        '--advertise-address=127.0.0.1',
        `--cert-dir=${pki}`,
        '--service-cluster-ip-range=10.0.0.0/24',
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        `--service-account-key-file=${join(dir, 'sa.key')}`,
        `--service-account-signing-key-file=${join(dir, 'sa.key')}`,
        `--token-auth-file=${join(dir, 'tokens.csv')}`,
        '--authorization-mode=RBAC',
        // Without controllers nobody creates the `default` ServiceAccount every pod would need.
        '--disable-admission-plugins=ServiceAccount',
        '--allow-privileged=true',
        '--endpoint-reconciler-type=none',
        ...(options.extraApiServerArgs ?? []),
      ],
      logFile: join(dir, 'kube-apiserver.log'),
    });
    await waitUntil('the serving certificate', deadline, processes, () =>
      Promise.resolve(existsSync(caFile)),
    );
    const kubeConfig = tokenKubeConfig(server, caFile, token);
    const health = new Health(kubeConfig);
    await waitUntil('kube-apiserver /readyz', deadline, processes, () => health.readyz({}));
    const core = kubeConfig.makeApiClient(CoreV1Api);
    await waitUntil('namespace default', deadline, processes, async () => {
      await core.readNamespace({ name: 'default' });
      return true;
    });
    const startupMs = Date.now() - started;
    const stop = once(() => stopAll(processes(), dir));
    const kubeconfigFile = join(dir, 'kubeconfig');
    await writeFile(kubeconfigFile, kubeConfig.exportConfig(), { mode: 0o600 });
    return {
      kubeConfig,
      server,
      token,
      kubeconfigFile,
      caFile,
      dir,
      startupMs,
      etcd,
      apiserver,
      applyCrds: (files, crdTimeoutMs) => applyCrdFiles(kubeConfig, files, crdTimeoutMs),
      freshNamespace: async (prefix = 'test') => {
        const name = `${prefix}-${randomBytes(4).toString('hex')}`;
        await core.createNamespace({ body: { metadata: { name } } });
        return name;
      },
      stop,
    };
  } catch (err) {
    const logs = await Promise.all(
      processes().map(async (p) => `--- ${p.options.name} log:\n${await p.tail(30)}`),
    );
    await stopAll(processes(), dir);
    throw new Error(`${errorMessage(err)}\n${logs.join('\n')}`, {
      cause: err,
    });
  }
}

function tokenKubeConfig(server: string, caFile: string, token: string): KubeConfig {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromOptions({
    clusters: [{ name: 'test', server, caFile }],
    users: [{ name: 'admin', token }],
    contexts: [{ name: 'test', cluster: 'test', user: 'admin' }],
    currentContext: 'test',
  });
  return kubeConfig;
}

/** Polls `check` every 100 ms until it returns true; fails early when one of the processes has exited. */
async function waitUntil(
  what: string,
  deadline: number,
  processes: () => readonly ManagedProcess[],
  check: () => Promise<boolean>,
): Promise<void> {
  let lastError: unknown;
  for (;;) {
    const dead = processes().find((p) => !p.alive);
    if (dead) throw new Error(`${dead.options.name} exited while waiting for ${what}`);
    try {
      if (await check()) return;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      const detail = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      throw new Error(`timed out waiting for ${what}${detail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function stopAll(processes: readonly ManagedProcess[], dir: string): Promise<void> {
  // In order: the apiserver first, so that it does not spend its shutdown retrying a vanished etcd.
  for (const proc of processes) await proc.stop();
  await rm(dir, { recursive: true, force: true });
}

async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let result: Promise<void> | undefined;
  return () => (result ??= fn());
}
