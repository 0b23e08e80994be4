/**
 * Who may command the embedded stack's agent, and whom its Tasks run as: `startDevStack` as `chaosflow dev`
 * starts it (as root), a victim process owned by root, and a client run as `nobody` (uid 65534) that tries
 * what any local user could. The same client run as root with the generated client certificate succeeds, so
 * the refusals are the agent's doing, not the client's. Then a Task and a Command probe submitted to the
 * embedded worker report `id -u` 65534.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { finalStatus } from '../../../client/runs.js';
import { startRun } from '../../../client/start-run.js';
import { startDevStack, type DevStack } from '../../../embedded/dev-stack.js';
import { readManifestText } from '../../../manifests/index.js';
import { describeUnless } from '../../harness/describe-unless.js';
import type { ProbeOutput } from './agent-client-probe.js';
import { missingTools, requireTool } from '../../../embedded/installed-tools.js';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const NOBODY = 65534;

let dir: string;
let stack: DevStack;
let victim: ChildProcess;

function alive(pid: number | undefined): boolean {
  try {
    process.kill(pid ?? -1, 0);
    return true;
  } catch {
    return false;
  }
}

/** Runs the stand-alone client, as `uid` (spawn's uid/gid options, as the worker drops privileges). */
async function probeAgent(uid: number, withClientCert: boolean): Promise<ProbeOutput> {
  const args = [
    join(here, '..', '..', '..', 'node_modules', 'tsx', 'dist', 'cli.mjs'),
    join(here, 'agent-client-probe.ts'),
    stack.agentAddress ?? '',
    join(dir, 'data', 'agent'),
    String(victim.pid),
    ...(withClientCert ? ['--with-client-cert'] : []),
  ];
  const { stdout } = await run(process.execPath, args, { uid, gid: uid, cwd: '/', timeout: 60_000 });
  return JSON.parse(stdout) as ProbeOutput;
}

const reason =
  process.getuid?.() !== 0
    ? 'needs root (the agent runs as root; the test switches to uid 65534)'
    : missingTools(['temporal']);

describeUnless(reason, 'embedded stack: who may command the agent, and whom Tasks run as', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chaosflow-access-'));
    // The worker runs in this process: a variable of its environment that a Task must not see.
    process.env['CHAOSFLOW_ACCESS_TEST_SECRET'] = 'worker-only';
    // The data folder is traversable by everyone, so only the modes of the agent's own files protect them.
    await chmod(dir, 0o755);
    stack = await startDevStack({
      temporalExecutable: requireTool('temporal'),
      dataDir: join(dir, 'data'),
      port: 0,
      uiPort: false,
      agentListen: '127.0.0.1:0',
      taskQueue: `access-${process.pid}`,
      logger: pino({ level: 'warn' }),
    });
    await chmod(join(dir, 'data'), 0o755);
    await chmod(join(dir, 'data', 'agent'), 0o755);
    victim = spawn('sleep', ['600'], { stdio: 'ignore' });
  }, 120_000);
  afterAll(async () => {
    delete process.env['CHAOSFLOW_ACCESS_TEST_SECRET'];
    victim?.kill('SIGKILL');
    await stack?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('keeps the certificates it generated readable by root only', async () => {
    const tls = join(dir, 'data', 'agent', 'tls');
    for (const sub of ['', 'server', 'client']) {
      const s = await stat(join(tls, sub));
      expect({ sub, mode: s.mode & 0o777, uid: s.uid }).toEqual({ sub, mode: 0o700, uid: 0 });
    }
    for (const file of [
      'ca.key',
      ...['server', 'client'].flatMap((d) => ['ca.crt', 'tls.crt', 'tls.key'].map((f) => join(d, f))),
    ]) {
      const s = await stat(join(tls, file));
      expect({ file, mode: s.mode & 0o777, uid: s.uid }).toEqual({ file, mode: 0o600, uid: 0 });
    }
    const client = new X509Certificate(await readFile(join(tls, 'client', 'tls.crt')));
    expect(client.subject).toBe('CN=chaosflow-worker');
    expect(client.checkIssued(new X509Certificate(await readFile(join(tls, 'client', 'ca.crt'))))).toBe(true);
    // The inventory it wrote hands the worker that client certificate.
    expect(await readFile(stack.inventoryFile, 'utf8')).toContain(join(tls, 'client', 'tls.key'));
  });

  it('refuses a client running as nobody: no key to read, no plaintext, no TLS without a certificate', async () => {
    const output = await probeAgent(NOBODY, false);
    expect(output.uid).toBe(NOBODY);
    expect(output.keyRead).toBe('EACCES');
    expect(output.plaintext.code, output.plaintext.details).toBe(14); // UNAVAILABLE: not a TLS client
    expect(output.tlsWithoutCert.code, output.tlsWithoutCert.details).toBe(14); // handshake refused
    expect(alive(victim.pid)).toBe(true);
  });

  it('answers the same client run as root with the generated client certificate (the control)', async () => {
    const output = await probeAgent(0, true);
    expect(output.uid).toBe(0);
    expect(output.keyRead).toBe('read');
    expect(output.plaintext.code).toBe(14);
    expect(output.withClientCert).toEqual({ code: 0, response: { pid: victim.pid } });
    expect(alive(victim.pid)).toBe(true);
  });

  it('lets the embedded worker command the agent with the generated client certificate', async () => {
    const doomed = spawn('sleep', ['600'], { stdio: 'ignore' });
    const gone = new Promise((resolve) => doomed.once('exit', resolve));
    // The default inventory has no pods; the worker reads the file again when it changes.
    const pod = `  - { namespace: default, name: doomed, labels: { app: doomed }, node: local, containers: [{ name: main, id: "pid://${doomed.pid}" }] }`;
    const inventory = await readFile(stack.inventoryFile, 'utf8');
    expect(inventory).toContain('pods: []\n');
    await writeFile(stack.inventoryFile, inventory.replace('pods: []\n', `pods:\n${pod}\n`));
    const compiled = readManifestText(
      `apiVersion: chaos-mesh.org/v1alpha1
kind: PodChaos
metadata: { name: kill-doomed, namespace: default }
spec: { action: container-kill, mode: all, selector: { labelSelectors: { app: doomed } } }
`,
      'kill.yaml',
    );
    expect(compiled.errors).toEqual([]);
    const connection = await Connection.connect({ address: stack.temporal.address });
    try {
      const client = new Client({ connection, namespace: stack.temporal.namespace });
      const handle = await startRun(client, { plan: compiled.plans[0]!, taskQueue: `access-${process.pid}` });
      const status = await finalStatus(handle);
      expect(status?.phase, JSON.stringify(status?.nodes)).toBe('Succeeded');
      await gone;
      expect(doomed.signalCode).toBe('SIGKILL');
      expect(alive(victim.pid)).toBe(true);
    } finally {
      doomed.kill('SIGKILL');
      await connection.close();
    }
  }, 90_000);

  it('runs a Task and a Command probe as nobody, without its supplementary groups', async () => {
    const manifest = `apiVersion: chaosflow.dev/v1alpha1
kind: Workflow
metadata: { name: run-as, namespace: default }
spec:
  entry: main
  templates:
    - name: main
      templateType: Serial
      deadline: 1m
      children: [uid, groups, environment, probe]
    - name: uid
      templateType: Task
      deadline: 30s
      task:
        container: { name: uid, image: none, command: [id, -u] }
    - name: groups
      templateType: Task
      deadline: 30s
      task:
        container: { name: groups, image: none, command: [id, -G] }
    - name: environment
      templateType: Task
      deadline: 30s
      task:
        container: { name: environment, image: none, command: [env], env: [{ name: GIVEN, value: by-the-manifest }] }
    - name: probe
      templateType: StatusCheck
      deadline: 30s
      statusCheck:
        type: Command
        intervalSeconds: 1
        command: { argv: [id, -u] }
`;
    const compiled = readManifestText(manifest, 'run-as.yaml');
    const plan = compiled.plans[0];
    expect(compiled.errors).toEqual([]);
    const connection = await Connection.connect({ address: stack.temporal.address });
    try {
      const client = new Client({ connection, namespace: stack.temporal.namespace });
      const handle = await startRun(client, { plan: plan!, taskQueue: `access-${process.pid}` });
      const status = await finalStatus(handle);
      expect(status?.phase, JSON.stringify(status?.nodes)).toBe('Succeeded');
      expect(status?.nodes['main/uid']?.task?.stdout).toBe(String(NOBODY));
      expect(status?.nodes['main/groups']?.task?.stdout).toBe(String(NOBODY));
      // The worker's environment (which may hold its credentials) stays with the worker.
      const environment = status?.nodes['main/environment']?.task?.stdout.split('\n') ?? [];
      expect(environment).toEqual(expect.arrayContaining(['USER=nobody', 'GIVEN=by-the-manifest']));
      expect(environment.filter((line) => line.startsWith('CHAOSFLOW_ACCESS_TEST_SECRET'))).toEqual([]);
      expect(environment.map((line) => line.split('=')[0]).sort()).toEqual(
        expect.arrayContaining(['GIVEN', 'HOME', 'LOGNAME', 'PATH', 'USER']),
      );
      expect(status?.nodes['main/probe']?.probes?.[0]?.value).toBe(String(NOBODY));
    } finally {
      await connection.close();
    }
  }, 90_000);

  it('refuses to start a worker that is not root but is told to run Tasks as someone else, saying what to do', async () => {
    const root = join(here, '..', '..', '..');
    const result = await run(
      process.execPath,
      [
        join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
        join(root, 'cli', 'main.ts'),
        'worker',
        '--address',
        stack.temporal.address,
        '--task-queue',
        `access-refused-${process.pid}`,
        '--inventory',
        stack.inventoryFile,
        '--no-register-search-attributes',
        '--run-as',
        'root',
      ],
      {
        uid: NOBODY,
        gid: NOBODY,
        cwd: '/',
        timeout: 60_000,
        env: { PATH: process.env['PATH'], NO_COLOR: '1' },
      },
    ).then(
      () => ({ code: 0, stderr: '' }),
      (err: { code?: number; stderr?: string }) => ({ code: err.code ?? -1, stderr: err.stderr ?? '' }),
    );
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(
      'the worker runs as uid 65534 (gid 65534) and cannot run Tasks and Command probes as root (uid 0, gid 0)',
    );
    expect(result.stderr).toContain('Run the worker as root, or drop --run-as');
    expect(result.stderr).not.toContain('could not start'); // refused as a setting, before it connected
  }, 90_000);
});
