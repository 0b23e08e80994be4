/**
 * IOChaos through the agent, as Chaos Mesh's PodIOChaos controller calls a daemon (ApplyIOChaos with the
 * container's whole action list as JSON and its volume; an empty list recovers), against a real process in a
 * mount namespace of its own and a real FUSE mount (chaosflow-iofs): latency, errno faults, percent and
 * attribute overrides are seen by another process in that namespace, paths the glob does not match are left
 * alone, and after recovery the namespace's mounts are exactly as before and the helper process is gone.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, expect, it } from 'vitest';
import type { DaemonClient } from '../../../activities/daemon/daemon-client.js';
import { DaemonClientPool } from '../../../activities/daemon/daemon-client-pool.js';
import { DaemonError } from '../../../activities/daemon/daemon-error.js';
import { probeIoSupport } from '../../../agent/io-support.js';
import { isAlive } from '../../../agent/process-info.js';
import { freePort } from '../../../embedded/free-port.js';
import { toolPath } from '../../../embedded/installed-tools.js';
import type { ManagedProcess } from '../../../embedded/managed-process.js';
import { describeUnless } from '../../harness/describe-unless.js';
import { startAgentFixture, type AgentFixture } from './agent-fixture.js';
import { startAgentProcess, waitUntilServing } from './agent-process.js';
import { createMountNsTarget, ioChaosUnavailableReason, type MountNsTarget } from './mount-ns-target.js';

const FILES = {
  'slow/a.txt': 'slow file',
  'fast/b.txt': 'fast file',
  'logs/app.log': 'log line',
  'data/c.bin': 'data',
};

describeUnless(ioChaosUnavailableReason(), 'chaosflow agent: IOChaos', () => {
  let fixture: AgentFixture;
  let target: MountNsTarget;
  let before: string;
  let helpers: number[] = [];

  beforeAll(async () => {
    fixture = await startAgentFixture({ iofs: toolPath('chaosflow-iofs') });
    target = await createMountNsTarget(FILES);
  });
  afterAll(async () => {
    await target?.destroy();
    await fixture?.stop();
  });
  beforeEach(async () => {
    before = await target.mountinfo();
    helpers = [];
  });
  afterEach(async () => {
    await apply([]);
    expect(await target.mountinfo()).toBe(before);
    for (const pid of helpers) expect(await isAlive(pid), `helper ${pid}`).toBe(false);
  });

  const faultKey = { run: 'run-io', node: 'io', target: 'pid' };
  const apply = async (actions: readonly Record<string, unknown>[]): Promise<void> => {
    const started = performance.now();
    const response = await fixture.client.call(
      'ApplyIOChaos',
      {
        container_id: target.containerId,
        actions: JSON.stringify(actions),
        volume: target.volume,
        instance: '0',
        startTime: '0',
        enterNS: true,
        instance_uid: '',
      },
      { faultKey },
    );
    process.stderr.write(
      `[io ${actions.length > 0 ? 'inject' : 'recover'}] ${(performance.now() - started).toFixed(0)} ms\n`,
    );
    if (actions.length > 0) {
      expect(Number(response.instance)).toBeGreaterThan(0);
      expect(response.instance_uid).not.toBe('');
      helpers.push(Number(response.instance));
    } else {
      expect(Number(response.instance)).toBe(0);
    }
  };
  const at = (name: string): string => `${target.volume}/${name}`;

  it('delays reads of files matching the glob, and only those', async () => {
    const normal = await target.probe('read', at('slow/a.txt'));
    await apply([
      { type: 'latency', path: `${target.volume}/slow/*`, methods: ['read'], percent: 100, latency: '300ms' },
    ]);
    expect(await target.mountinfo()).toMatch(/fuse\.chaosflow-iofs/);
    const slow = await target.probe('read', at('slow/a.txt'));
    const fast = await target.probe('read', at('fast/b.txt'));
    process.stderr.write(
      `[io latency 300ms] before ${normal.ms.toFixed(1)} ms, matching ${slow.ms.toFixed(1)} ms, other ${fast.ms.toFixed(1)} ms\n`,
    );
    expect(slow).toMatchObject({ ok: true, data: 'slow file' });
    expect(slow.ms).toBeGreaterThanOrEqual(300);
    expect(fast).toMatchObject({ ok: true, data: 'fast file' });
    expect(fast.ms).toBeLessThan(200);
  });

  it('fails open of matching paths with EIO and read with the errno given, leaving other paths alone', async () => {
    await apply([
      { type: 'fault', path: '**/*.log', methods: ['open'], percent: 100, faults: [{ errno: 5, weight: 1 }] },
      {
        type: 'fault',
        path: `${target.volume}/data/*`,
        methods: ['read'],
        faults: [{ errno: 28, weight: 1 }],
      },
    ]);
    expect(await target.probe('read', at('logs/app.log'))).toMatchObject({ ok: false, code: 'EIO' });
    expect(await target.probe('open', at('data/c.bin'))).toMatchObject({ ok: true });
    expect(await target.probe('read', at('data/c.bin'))).toMatchObject({ ok: false, code: 'ENOSPC' });
    expect(await target.probe('read', at('fast/b.txt'))).toMatchObject({ ok: true, data: 'fast file' });
    expect(await target.probe('write', at('fast/new.txt'), 'written')).toMatchObject({ ok: true });
    expect(await target.probe('read', at('fast/new.txt'))).toMatchObject({ ok: true, data: 'written' });
  });

  it('honours percent roughly (50 % of 400 opens fail)', async () => {
    await apply([
      { type: 'fault', path: '', methods: ['open'], percent: 50, faults: [{ errno: 5, weight: 1 }] },
    ]);
    const result = await target.probe('openMany', at('fast/b.txt'), '400');
    process.stderr.write(`[io percent 50] ${result.failures} of 400 opens failed\n`);
    expect(result.failures).toBeGreaterThan(140);
    expect(result.failures).toBeLessThan(260);
  });

  it('overrides the attributes stat sees', async () => {
    const plain = await target.probe('stat', at('data/c.bin'));
    await apply([{ type: 'attrOverride', path: `${target.volume}/data/c.bin`, perm: 0o444, size: 12_345 }]);
    const overridden = await target.probe('stat', at('data/c.bin'));
    const other = await target.probe('stat', at('fast/b.txt'));
    expect(plain.size).toBe(4);
    expect(overridden).toMatchObject({ ok: true, size: 12_345 });
    expect((overridden.mode ?? 0) & 0o7777).toBe(0o444);
    expect(other.size).toBe('fast file'.length);
  });

  it('corrupts what matching reads return with mistake (zero filling), leaving the file below intact', async () => {
    await apply([
      {
        type: 'mistake',
        path: '**/a.txt',
        methods: ['read'],
        mistake: { filling: 'zero', maxOccurrences: 2, maxLength: 4 },
      },
    ]);
    const mistaken = await target.probe('read', at('slow/a.txt'));
    const other = await target.probe('read', at('fast/b.txt'));
    expect(mistaken.ok).toBe(true);
    expect(mistaken.data).toHaveLength('slow file'.length);
    expect(mistaken.data).toContain('\u0000');
    expect(other.data).toBe('fast file');
    await apply([]);
    expect(await target.probe('read', at('slow/a.txt'))).toMatchObject({ data: 'slow file' });
  });

  it('replaces the previous file system on a second call: the old helper stops, the new rules apply', async () => {
    await apply([{ type: 'fault', path: '**/b.txt', methods: ['open'], faults: [{ errno: 5, weight: 1 }] }]);
    const first = helpers[0] as number;
    await apply([{ type: 'fault', path: '**/a.txt', methods: ['open'], faults: [{ errno: 13, weight: 1 }] }]);
    expect(await isAlive(first)).toBe(false);
    expect((await target.mountinfo()).match(/fuse\.chaosflow-iofs/g)).toHaveLength(1);
    expect(await target.probe('read', at('fast/b.txt'))).toMatchObject({ ok: true });
    expect(await target.probe('read', at('slow/a.txt'))).toMatchObject({ ok: false, code: 'EACCES' });
  });

  it('recovers while a read is held by the latency: the mount goes at once, the reader gets ENOTCONN', async () => {
    await apply([{ type: 'latency', path: '**/a.txt', methods: ['read'], latency: '20s' }]);
    const held = target.probe('read', at('slow/a.txt'));
    await new Promise((resolve) => setTimeout(resolve, 500));
    const started = performance.now();
    await apply([]);
    const recoverMs = performance.now() - started;
    const reader = await held;
    process.stderr.write(
      `[io recover under a held read] ${recoverMs.toFixed(0)} ms; reader: ${JSON.stringify(reader)}\n`,
    );
    expect(recoverMs).toBeLessThan(8_000);
    // The open file was on the mount, which was detached and then lost its server: ENOTCONN, not 20 s.
    expect(reader).toMatchObject({ ok: false, code: 'ENOTCONN' });
    expect(reader.ms).toBeLessThan(15_000);
  });

  it('unmounts and stops the helper on its own when the lease is not renewed', async () => {
    const response = await fixture.client.call(
      'ApplyIOChaos',
      {
        container_id: target.containerId,
        actions: JSON.stringify([{ type: 'fault', path: '**/b.txt', faults: [{ errno: 5, weight: 1 }] }]),
        volume: target.volume,
        enterNS: true,
      },
      { faultKey: { ...faultKey, node: 'io-lease' }, lease: '1s' },
    );
    const helper = Number(response.instance);
    helpers.push(helper);
    expect(await target.probe('read', at('fast/b.txt'))).toMatchObject({ ok: false, code: 'EIO' });
    // The revert (lease, then SIGTERM, then the unmount) runs on its own: wait for its end, not its start.
    const deadline = Date.now() + 15_000;
    const reverted = async (): Promise<boolean> =>
      !(await isAlive(helper)) && (await target.mountinfo()) === before;
    while (!(await reverted()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(await isAlive(helper)).toBe(false);
    expect(await target.mountinfo()).toBe(before);
    expect(await target.probe('read', at('fast/b.txt'))).toMatchObject({ ok: true, data: 'fast file' });
  });

  it('refuses methods it cannot act on and bad actions with INVALID_ARGUMENT, changing nothing', async () => {
    for (const [actions, message] of [
      [[{ type: 'latency', methods: ['forget'], latency: '1s' }], /"forget" cannot be injected here/],
      [[{ type: 'latency', methods: ['bogus'], latency: '1s' }], /"bogus" is not an IOChaos method/],
      [[{ type: 'fault', percent: 101 }], /percent: 101 is not within 0\.\.100/],
      [{ type: 'fault' }, /must be a JSON array/],
    ] as const) {
      const error = await fixture.client
        .call(
          'ApplyIOChaos',
          { container_id: target.containerId, actions: JSON.stringify(actions), volume: target.volume },
          { faultKey },
        )
        .catch((err: unknown) => err);
      expect(error).toBeInstanceOf(DaemonError);
      expect((error as DaemonError).context.status).toBe('INVALID_ARGUMENT');
      expect((error as DaemonError).context.serverMessage).toMatch(message);
    }
  });

  it('reports IOChaos available only with chaosflow-iofs (and /dev/fuse), else why not', async () => {
    expect(await probeIoSupport(toolPath('chaosflow-iofs'))).toEqual({ available: true, reason: '' });
    const missing = await probeIoSupport('/nonexistent/chaosflow-iofs');
    expect(missing.available).toBe(false);
    expect(missing.reason).toMatch(
      /IOChaos needs chaosflow-iofs, which does not run at \/nonexistent\/chaosflow-iofs/,
    );
  });

  it('refuses, saying why, a target in a pid namespace of its own', async () => {
    const outer = spawn(
      'unshare',
      ['--pid', '--fork', '--mount', '--propagation', 'private', '--', 'sleep', '60'],
      {
        stdio: 'ignore',
      },
    );
    let inner = 0;
    for (let i = 0; i < 100 && inner === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      const children = await readFile(`/proc/${outer.pid}/task/${outer.pid}/children`, 'utf8').catch(
        () => '',
      );
      inner = Number(children.trim().split(' ')[0] ?? 0);
    }
    const error = await fixture.client
      .call(
        'ApplyIOChaos',
        {
          container_id: `pid://${inner}`,
          actions: JSON.stringify([{ type: 'latency', latency: '1s' }]),
          volume: target.volume,
        },
        { faultKey: { ...faultKey, target: 'pidns' } },
      )
      .catch((err: unknown) => err);
    outer.kill('SIGKILL');
    process.kill(inner, 'SIGKILL');
    expect((error as DaemonError).context.status).toBe('FAILED_PRECONDITION');
    expect((error as DaemonError).context.serverMessage).toMatch(/is in a pid namespace of its own/);
  });

  it("refuses a target in the agent's own (the host's) mount namespace", async () => {
    const host = spawn('sleep', ['60'], { stdio: 'ignore' });
    const error = await fixture.client
      .call(
        'ApplyIOChaos',
        {
          container_id: `pid://${host.pid}`,
          actions: JSON.stringify([{ type: 'latency', latency: '1s' }]),
          volume: target.volume,
        },
        { faultKey: { ...faultKey, target: 'self' } },
      )
      .catch((err: unknown) => err);
    host.kill('SIGKILL');
    expect((error as DaemonError).context.status).toBe('FAILED_PRECONDITION');
    expect((error as DaemonError).context.serverMessage).toMatch(
      /shares the agent's \(the host's\) mount namespace/,
    );
  });
});

describeUnless(ioChaosUnavailableReason(), 'chaosflow agent: IOChaos across crashes', () => {
  let stateDir: string;
  let target: MountNsTarget;
  const pool = new DaemonClientPool({ defaultDeadlineMs: 30_000 });
  const processes: ManagedProcess[] = [];

  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'chaosflow-agent-io-'));
    target = await createMountNsTarget(FILES);
  });
  afterEach(async () => {
    for (const p of processes.splice(0)) await p.stop(2_000);
  });
  afterAll(async () => {
    pool.close();
    await target?.destroy();
    await rm(stateDir, { recursive: true, force: true });
  });

  const agentProcess = (args: readonly string[]): ManagedProcess => {
    const p = startAgentProcess(stateDir, [
      '--iofs',
      toolPath('chaosflow-iofs'),
      '--log-level',
      'debug',
      ...args,
    ]);
    processes.push(p);
    return p;
  };

  const startAgent = async (): Promise<{ process: ManagedProcess; client: DaemonClient }> => {
    const port = await freePort();
    const agent = agentProcess(['--listen', `127.0.0.1:${port}`, '--insecure-plaintext-loopback']);
    const client = pool.get({ address: `127.0.0.1:${port}`, transport: { kind: 'plaintext' } });
    await waitUntilServing(agent, client);
    return { process: agent, client };
  };

  const inject = async (client: DaemonClient, run: string): Promise<number> => {
    const response = await client.call(
      'ApplyIOChaos',
      {
        container_id: target.containerId,
        actions: JSON.stringify([{ type: 'fault', path: '**/*.log', faults: [{ errno: 5, weight: 1 }] }]),
        volume: target.volume,
        enterNS: true,
      },
      { faultKey: { run, node: 'io', target: 'pid' } },
    );
    return Number(response.instance);
  };

  it('keeps the mount when the agent is SIGKILLed, and `agent --recover-all` unmounts it and stops the helper', async () => {
    const before = await target.mountinfo();
    const { process: agent, client } = await startAgent();
    const helper = await inject(client, 'run-io-crash');
    agent.kill('SIGKILL');
    await agent.exited;
    expect(await target.probe('read', `${target.volume}/logs/app.log`)).toMatchObject({
      ok: false,
      code: 'EIO',
    });
    expect(await isAlive(helper)).toBe(true);

    const recover = agentProcess(['--recover-all']);
    expect(await recover.exited).toBe(0);
    expect(await target.mountinfo()).toBe(before);
    expect(await isAlive(helper)).toBe(false);
    expect(await target.probe('read', `${target.volume}/logs/app.log`)).toMatchObject({ ok: true });
  });

  it('reverts on start-up the IO fault of a target that is gone: the helper stops', async () => {
    const gone = await createMountNsTarget({ 'x.log': 'x' });
    const { process: first, client } = await startAgent();
    const response = await client.call(
      'ApplyIOChaos',
      {
        container_id: gone.containerId,
        actions: JSON.stringify([{ type: 'latency', latency: '10ms' }]),
        volume: gone.volume,
      },
      { faultKey: { run: 'run-io-gone', node: 'io', target: 'pid' } },
    );
    const helper = Number(response.instance);
    first.kill('SIGKILL');
    await first.exited;
    gone.kill();
    await new Promise((resolve) => setTimeout(resolve, 200));
    // The helper alone keeps the namespace, and its mount, alive.
    expect(await isAlive(helper)).toBe(true);
    const second = await startAgent();
    expect(await isAlive(helper)).toBe(false);
    await gone.destroy();
    second.process.kill('SIGTERM');
    expect(await second.process.exited).toBe(0);
  });

  it('removes the mount a helper killed with SIGKILL left behind, at recover', async () => {
    const before = await target.mountinfo();
    const { client } = await startAgent();
    const helper = await inject(client, 'run-io-helper');
    process.kill(helper, 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(await target.probe('read', `${target.volume}/fast/b.txt`)).toMatchObject({
      ok: false,
      code: 'ENOTCONN',
    });
    await client.call(
      'ApplyIOChaos',
      { container_id: target.containerId, actions: '[]', volume: target.volume },
      { faultKey: { run: 'run-io-helper', node: 'io', target: 'pid' } },
    );
    expect(await target.mountinfo()).toBe(before);
    expect(await target.probe('read', `${target.volume}/fast/b.txt`)).toMatchObject({ ok: true });
  });
});
