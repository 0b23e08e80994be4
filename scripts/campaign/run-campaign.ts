/**
 * The recovery campaign: many random game days (scripts/campaign/random-game-day.ts) against the supervised
 * embedded stack (Temporal dev server, agent and worker as separate processes, embedded/supervised-stack.ts)
 * and real processes in network namespaces, each hit at a random moment, while a fault is held, by one
 * disruption: SIGKILL of the worker, SIGKILL of the agent, SIGKILL of the Temporal dev server (restarted on its
 * SQLite file), `temporal workflow terminate`, an abort, a halt, a restart of a target process, or nothing.
 * After each run (the janitor given its time) every target's iptables, ipsets, qdiscs and cgroup must be as
 * they were before it; the time from the disruption until then is the recovery time. Disruptions are dealt
 * round-robin in a seeded shuffled order, so any `runs` at least as large as their number meets each one.
 */
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { halt, unhalt } from '../../client/halt.js';
import { startRun } from '../../client/start-run.js';
import { agentClientTls, defaultInventory } from '../../embedded/dev-stack.js';
import { freePort } from '../../embedded/free-port.js';
import { createNetnsHost, type NetnsHost, type NetnsSnapshot } from '../../embedded/netns-host.js';
import { SupervisedStack } from '../../embedded/supervised-stack.js';
import { readManifestText } from '../../manifests/index.js';
import { abortSignal, statusQuery } from '../../workflows/messages.js';
import { seededRandom } from '../../test/harness/seeded-random.js';
import { randomGameDay, type CampaignTarget } from './random-game-day.js';

export const DISRUPTIONS = [
  'none',
  'kill-worker',
  'kill-agent',
  'restart-temporal',
  'terminate',
  'abort',
  'halt',
  'restart-target',
] as const;
export type Disruption = (typeof DISRUPTIONS)[number];

export interface CampaignRun {
  readonly index: number;
  readonly name: string;
  readonly disruption: Disruption;
  /** Closed status of the run (COMPLETED, TERMINATED, ...). */
  readonly closedAs: string;
  /** The run's phase and its nodes' first errors, when it has a status to read (not after a terminate). */
  readonly phase?: string;
  readonly errors?: readonly string[];
  /** From the disruption (or, for `none`, the run's close) until every target was as before, in ms. */
  readonly recoveryMs: number;
  /** Targets not as before when the campaign gave up waiting: the faults left behind. */
  readonly left: readonly { readonly target: string; readonly diff: string }[];
  /**
   * Faults the agent recovered on its own when their lease ran out during this run. No disruption of the
   * campaign outlasts a lease, so each one is a fault the run, its janitor and the agent's restart all failed to
   * recover: left behind but for the dead-man switch.
   */
  readonly leaseRescues: number;
}

export interface CampaignOptions {
  runs: number;
  seed: number;
  temporalExecutable: string;
  /** Targets (network namespaces); default 3. */
  targets?: number;
  /** How long a run may take to close and its targets to be clean again; default 180 s. */
  settleMs?: number;
  log?: (line: string) => void;
  /** Ends the campaign after the run in progress (everything is cleaned up as usual). */
  stop?: AbortSignal;
}

interface Target extends CampaignTarget {
  readonly host: NetnsHost;
  before: NetnsSnapshot;
}

const root = fileURLToPath(new URL('../../', import.meta.url));

/** The agent's log message when it recovers a fault whose lease ran out. */
const LEASE_RESCUE = 'lease expired; fault recovered by the agent';

async function fileSize(path: string): Promise<number> {
  return (await stat(path).catch(() => undefined))?.size ?? 0;
}

/** The text of `path` from byte `offset` on ('' when it is missing). */
async function readFrom(path: string, offset: number): Promise<string> {
  const text = await readFile(path).catch(() => Buffer.alloc(0));
  return text.subarray(offset).toString('utf8');
}

async function cleanDiff(target: Target): Promise<string | undefined> {
  const now = await target.host.snapshot().catch((err: unknown) => ({ error: String(err) }));
  const pids = (await target.host.cgroup?.pids()) ?? [];
  const strays = pids.filter((pid) => pid !== target.host.pid);
  const differs = JSON.stringify(now) !== JSON.stringify(target.before);
  if (!differs && strays.length === 0) return undefined;
  return [
    differs ? `namespace now: ${JSON.stringify(now)}` : '',
    strays.length ? `processes left in its cgroup: ${strays.join(', ')}` : '',
  ]
    .filter(Boolean)
    .join('; ');
}

async function poll<T>(timeoutMs: number, probe: () => Promise<T | undefined>): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined || Date.now() >= deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The supervised stack's inventory with the campaign's targets as pods. */
function inventory(agentAddress: string, tls: ReturnType<typeof agentClientTls>, targets: Target[]): string {
  return defaultInventory(
    agentAddress,
    tls,
    targets.map(
      (t) =>
        `{ namespace: default, name: ${t.label}, labels: { app: ${t.label}, campaign: all }, node: local, ` +
        `ips: [${t.host.ip}], containers: [{ name: main, id: "${t.host.containerId}" }] }`,
    ),
  );
}

export async function runCampaign(options: CampaignOptions): Promise<CampaignRun[]> {
  const log = options.log ?? (() => undefined);
  const random = seededRandom(options.seed);
  const dir = await mkdtemp(join(tmpdir(), 'chaosflow-campaign-'));
  const targets: Target[] = [];
  let stack: SupervisedStack | undefined;
  let client: Client | undefined;
  try {
    for (let i = 0; i < (options.targets ?? 3); i++) {
      const host = await createNetnsHost({ process: 'http', cgroup: true });
      targets.push({ host, label: `t${i}`, hostIp: host.hostIp, before: await host.snapshot() });
    }
    const agentListen = `127.0.0.1:${await freePort()}`;
    const inventoryFile = join(dir, 'inventory.yaml');
    const writeInventory = () =>
      writeFile(inventoryFile, inventory(agentListen, agentClientTls(join(dir, 'stack')), targets));
    await writeInventory();
    stack = await SupervisedStack.start({
      temporalExecutable: options.temporalExecutable,
      dataDir: join(dir, 'stack'),
      port: await freePort(),
      uiPort: false,
      agentListen,
      inventoryFile,
      logLevel: 'warn',
      cli: [process.execPath, '--import', 'tsx', join(root, 'cli/main.ts')],
      restartDelayMs: 500,
      crashesTolerated: 1_000,
      onEvent: (line) => log(`  stack: ${line}`),
    });
    client = new Client({ connection: await Connection.connect({ address: stack.temporalAddress }) });

    const order = [...DISRUPTIONS].sort(() => random() - 0.5);
    const runs: CampaignRun[] = [];
    for (let index = 0; index < options.runs && !options.stop?.aborted; index++) {
      const disruption = order[index % order.length] as Disruption;
      const day = randomGameDay(random, targets, `campaign-${options.seed}-${index}`);
      const touched = targets.filter((t) => day.labels.includes(t.label));
      const result = readManifestText(day.manifest, `${day.name}.yaml`);
      const plan = result.plans[0];
      if (!plan || result.errors.length > 0) {
        throw new Error(
          `the campaign wrote an invalid manifest:\n${day.manifest}\n${JSON.stringify(result.errors)}`,
        );
      }
      const agentLogFrom = await fileSize(stack.logFile('agent'));
      const handle = await startRun(client, { plan, taskQueue: 'chaosflow', manifest: day.manifest });
      // A fault is held on some target the tree touches.
      const held = await poll(60_000, async () => {
        for (const t of touched) if (await cleanDiff(t)) return true;
        return undefined;
      });
      await new Promise((resolve) => setTimeout(resolve, Math.floor(random() * 1_500)));
      const disruptedAt = Date.now();
      if (held) await disrupt(disruption, { stack, client, handle, touched, random });
      // The run closes (retrying while the dev server restarts).
      const closedAs =
        (await poll(options.settleMs ?? 180_000, async () => {
          const { status } = await handle.describe();
          return status.name === 'RUNNING' ? undefined : status.name;
        })) ?? 'still RUNNING';
      const status = await handle.query(statusQuery).catch(() => undefined);
      const errors = Object.entries(status?.nodes ?? {}).flatMap(([id, n]) =>
        n.errors.slice(0, 1).map((e) => `${id}: ${e}`),
      );
      if (disruption === 'halt') await unhalt(client, { by: 'campaign' });
      if (disruption === 'restart-target') await writeInventory();
      const since = disruption === 'none' || !held ? Date.now() : disruptedAt;
      const clean = await poll(options.settleMs ?? 180_000, async () => {
        for (const t of targets) if (await cleanDiff(t)) return undefined;
        return true;
      });
      const left: { target: string; diff: string }[] = [];
      if (!clean) {
        for (const t of targets) {
          const diff = await cleanDiff(t);
          if (diff) left.push({ target: t.label, diff });
        }
      }
      const leaseRescues = (await readFrom(stack.logFile('agent'), agentLogFrom))
        .split('\n')
        .filter((line) => line.includes(LEASE_RESCUE)).length;
      const run: CampaignRun = {
        index,
        name: day.name,
        disruption: held ? disruption : 'none',
        closedAs,
        ...(status ? { phase: status.phase } : {}),
        ...(errors.length ? { errors } : {}),
        recoveryMs: Date.now() - since,
        left,
        leaseRescues,
      };
      runs.push(run);
      log(
        `run ${index + 1}/${options.runs} ${day.name}: ${day.faults.length} faults on ${touched.length} targets, ` +
          `${run.disruption}, closed ${closedAs}${status ? ` (${status.phase})` : ''}, clean after ${run.recoveryMs} ms${leaseRescues ? `, RECOVERED ONLY BY ${leaseRescues} LEASE EXPIRIES` : ''}${left.length ? `, LEFT ${JSON.stringify(left)}` : ''}`,
      );
      if (disruption === 'none' && errors.length) log(`  errors: ${errors.join(' | ').slice(0, 600)}`);
      if (left.length > 0) break;
    }
    return runs;
  } finally {
    await client?.connection.close().catch(() => undefined);
    await stack?.stop();
    for (const t of targets) await t.host.destroy();
    await rm(dir, { recursive: true, force: true });
  }
}

async function disrupt(
  disruption: Disruption,
  ctx: {
    stack: SupervisedStack;
    client: Client;
    handle: Awaited<ReturnType<typeof startRun>>;
    touched: Target[];
    random: () => number;
  },
): Promise<void> {
  const kill = (part: 'worker' | 'agent' | 'temporal') => {
    const pid = ctx.stack.pid(part);
    if (pid) process.kill(pid, 'SIGKILL');
  };
  switch (disruption) {
    case 'none':
      return;
    case 'kill-worker':
      return kill('worker');
    case 'kill-agent':
      return kill('agent');
    case 'restart-temporal':
      return kill('temporal');
    case 'terminate':
      await ctx.handle.terminate('campaign: terminated while a fault is held');
      return;
    case 'abort':
      await ctx.handle.signal(abortSignal, { reason: 'campaign: aborted while a fault is held' });
      return;
    case 'halt':
      await halt(ctx.client, { reason: 'campaign', by: 'campaign', taskQueue: 'chaosflow' });
      return;
    case 'restart-target': {
      const target = ctx.touched[Math.floor(ctx.random() * ctx.touched.length)];
      await target?.host.restartProcess();
    }
  }
}

/** Median, p95 and max of the recovery times of the runs with this disruption. */
export function recoveryFigures(runs: readonly CampaignRun[]): string[] {
  const lines: string[] = [];
  for (const disruption of DISRUPTIONS) {
    const times = runs
      .filter((r) => r.disruption === disruption)
      .map((r) => r.recoveryMs)
      .sort((a, b) => a - b);
    if (times.length === 0) continue;
    const at = (q: number) => times[Math.min(times.length - 1, Math.ceil(q * times.length) - 1)] ?? 0;
    lines.push(
      `${disruption.padEnd(17)} runs ${String(times.length).padStart(3)}  median ${at(0.5)} ms  ` +
        `p95 ${at(0.95)} ms  max ${times.at(-1)} ms`,
    );
  }
  const left = runs.reduce((n, r) => n + r.left.length, 0);
  const rescued = runs.filter((r) => r.leaseRescues > 0).length;
  lines.push(
    `${runs.length} runs, ${left} targets left with faults, ${rescued} runs whose faults only the agent's lease recovered`,
  );
  return lines;
}
