/**
 * chaosflow and Chaos Toolkit side by side, on the same target: a process serving HTTP in a network namespace
 * (embedded/netns-host.ts), partitioned by both tools in turn, interleaved A B A B (chaosflow first), N pairs.
 * chaosflow runs as a user runs it: `chaosflow run FILE` (the built CLI, bin/chaosflow.js) against one
 * `chaosflow dev` started here; Chaos Toolkit 1.19 (pinned) runs from a virtualenv in the tool cache
 * (chaos-toolkit-venv.ts), with `--rollback-strategy always`. The experiments are in side-by-side-experiments.ts;
 * the generated files go to a temporary folder. Figures, medians and the ratio chaosflow / Chaos Toolkit:
 *
 * 1. game day: 3 s of checks, a 10 s partition, 3 s of checks; wall time beyond the 16 s of waits.
 * 2. steps: 20 partition steps of 100 ms; wall time beyond the 2 s of holds, per step; and the marginal cost of a
 *    step (against the same run with 1 step).
 * 3. Ctrl-C (SIGINT to the tool) during a held partition: time until the rule is gone from the namespace.
 *    After the table: where a chaosflow step's time goes (step-breakdown.ts), from the last 20-step run.
 * 4. SIGKILL of the tool 1 s into an 8 s partition: what is left after. chaosflow: the run goes on on the server
 *    (`chaosflow run` is only its client) and ends the fault at its planned end; Chaos Toolkit: the rule stays
 *    (the bench then removes it). Also, chaosflow only: SIGKILL of the worker (`chaosflow dev` restarts it).
 *
 * Needs root. Cleans up on exit and on SIGINT: the dev stack, the namespace, the temporary folder (the venv stays
 * cached). An install that fails ends the benchmark with its reason and exit code 1.
 *
 *   npx tsx scripts/bench/chaos-toolkit-side-by-side.ts [pairs=5] [--only chaosflow|chaos-toolkit]
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { errorMessage } from '../../common/errors/chaosflow-error.js';
import { agentClientTls } from '../../embedded/dev-stack.js';
import { freePort } from '../../embedded/free-port.js';
import { createNetnsHost, netnsUnavailableReason, type NetnsHost } from '../../embedded/netns-host.js';
import { Client, Connection } from '@temporalio/client';
import { ensureChaosToolkit } from './chaos-toolkit-venv.js';
import { median } from './median.js';
import { describeStepBreakdown, stepBreakdown, type StepBreakdown } from './step-breakdown.js';
import { chaosflow, ctk, ctkHealArgv, type SideBySideTarget } from './side-by-side-experiments.js';

const args = process.argv.slice(2);
const onlyAt = args.indexOf('--only');
const only = onlyAt >= 0 ? args.splice(onlyAt, 2)[1] : undefined;
if (only !== undefined && only !== 'chaosflow' && only !== 'chaos-toolkit') {
  process.stderr.write(
    `chaos-toolkit-side-by-side: --only takes chaosflow or chaos-toolkit, not '${only}'\n`,
  );
  process.exit(2);
}
const useChaosflow = only !== 'chaos-toolkit';
const useToolkit = only !== 'chaosflow';
const pairs = Number(args[0] ?? 5);
const STEPS = 20;
const STEP_HOLD_S = 0.1;
const KILL_HOLD_S = 8;
/** How long a SIGKILLed tool's rule is watched after its planned end before it counts as left behind. */
const KILL_GRACE_S = 5;
/** Pause between two looks at the namespace's iptables (each look is one nsenter + iptables-save). */
const POLL_MS = 10;
const say = (text: string) => process.stdout.write(`${text}\n`);
const note = (text: string) => process.stderr.write(`[side-by-side] ${text}\n`);
const exec = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const reason = netnsUnavailableReason(['iptables', 'nsenter']);
if (reason) {
  say(`chaos-toolkit-side-by-side: skipped, ${reason}`);
  process.exit(0);
}

const children = new Set<ChildProcess>();
let dir: string | undefined;
let host: NetnsHost | undefined;
let dev: ChildProcess | undefined;
let cleaning: Promise<void> | undefined;

async function stopDev(): Promise<void> {
  const child = dev;
  dev = undefined;
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(timer);
}

function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await stopDev();
    await host?.destroy();
    if (dir) await rm(dir, { recursive: true, force: true });
  })();
  return cleaning;
}

process.once('SIGINT', () => {
  note('interrupted: cleaning up');
  void cleanup().finally(() => process.exit(130));
});

interface Spawned {
  readonly child: ChildProcess;
  readonly started: number;
  output(): string;
  /** Resolves with the exit code (128 + signal number style: null code counts as -1) and the time of exit. */
  readonly exit: Promise<{ code: number; signal: NodeJS.Signals | null; at: number }>;
}

function start(argv: readonly string[]): Spawned {
  const [file, ...args] = argv as [string, ...string[]];
  const started = performance.now();
  const child = spawn(file, args, {
    cwd: dir,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const exit = new Promise<{ code: number; signal: NodeJS.Signals | null; at: number }>((resolve) => {
    child.once('error', (err) => {
      output += errorMessage(err);
      resolve({ code: -1, signal: null, at: performance.now() });
    });
    child.once('exit', (code, signal) => {
      const at = performance.now();
      children.delete(child);
      resolve({ code: code ?? -1, signal, at });
    });
  });
  return { child, started, output: () => output, exit };
}

/** The output of the last run of each `what` given to `timed`. */
const lastOutput = new Map<string, string>();

/** Runs argv to its end; throws with its output when it exits non-zero. Returns the wall time in ms. */
async function timed(what: string, argv: readonly string[]): Promise<number> {
  const run = start(argv);
  const { code, at } = await run.exit;
  if (code !== 0) throw new Error(`${what} exited ${code}:\n${run.output().slice(-3000)}`);
  lastOutput.set(what, run.output());
  return at - run.started;
}

try {
  dir = await mkdtemp(join(tmpdir(), 'chaosflow-bench-ctk-'));
  note('Chaos Toolkit: checking the cached virtualenv (installing it when missing)');
  const toolkit = await ensureChaosToolkit().catch((err: unknown) => {
    process.stderr.write(
      `chaos-toolkit-side-by-side: Chaos Toolkit could not be installed: ${errorMessage(err)}\n`,
    );
    throw Object.assign(new Error('Chaos Toolkit install failed'), { exitCode: 1 });
  });
  note(`${toolkit.version} in ${toolkit.venv}${toolkit.installed ? ' (installed now)' : ' (cached)'}`);
  if (useChaosflow) {
    note('building the chaosflow CLI (npm run build)');
    await exec('npm', ['run', '--silent', 'build'], { cwd: root }).catch((err: unknown) => {
      const e = err as { stdout?: string; stderr?: string };
      throw new Error(`the chaosflow build failed:\n${e.stdout ?? ''}${e.stderr ?? errorMessage(err)}`, {
        cause: err,
      });
    });
  }
  const cli = [process.execPath, join(root, 'bin', 'chaosflow.js')];

  host = await createNetnsHost({ process: 'http' });
  const target: SideBySideTarget = {
    ip: host.ip,
    port: host.port,
    hostIp: host.hostIp,
    netnsPath: host.netnsPath,
    nsenter: (await exec('which', ['nsenter'])).stdout.trim(),
  };
  const ns = host;
  const iptables = async (): Promise<string> =>
    (await ns.exec(['iptables-save']))
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => l.replace(/\[\d+:\d+\]/g, '[]'))
      .join('\n');
  const baseline = await iptables();
  const before = JSON.stringify(await ns.snapshot());

  // One `chaosflow dev` for every chaosflow run.
  const port = await freePort();
  const address = `127.0.0.1:${port}`;
  const agentListen = `127.0.0.1:${await freePort()}`;
  const tls = agentClientTls(join(dir, 'data'));
  const inventory = join(dir, 'inventory.yaml');
  await writeFile(
    inventory,
    [
      'nodes:',
      '  - name: local',
      `    daemon: { address: "${agentListen}", tls: { caFile: "${tls.caFile}", certFile: "${tls.certFile}", keyFile: "${tls.keyFile}" } }`,
      'pods:',
      '  - { namespace: default, name: web-0, labels: { app: web }, node: local,',
      `      ips: [${target.ip}], containers: [{ name: server, id: "${host.containerId}" }] }`,
      '',
    ].join('\n'),
  );
  note(useChaosflow ? 'starting chaosflow dev' : 'chaosflow skipped (--only chaos-toolkit)');
  const devArgs = [
    '--data-dir',
    join(dir, 'data'),
    '--port',
    String(port),
    '--ui-port',
    String(await freePort()),
  ];
  const devRun = useChaosflow
    ? start([
        ...cli,
        'dev',
        ...devArgs,
        '--agent-listen',
        agentListen,
        '--inventory',
        inventory,
        '--log-level',
        'error',
      ])
    : undefined;
  if (devRun) {
    dev = devRun.child;
    children.delete(dev);
    for (let waited = 0; !/chaosflow dev is running/.test(devRun.output()); waited += 200) {
      if (dev.exitCode !== null || waited > 120_000)
        throw new Error(`chaosflow dev did not start:\n${devRun.output()}`);
      await sleep(200);
    }
  }
  const workerPid = (): number => {
    const text = devRun?.output() ?? '';
    const restarted = [...text.matchAll(/the worker is running again \(pid (\d+)\)/g)].at(-1)?.[1];
    return Number(restarted ?? /^ +worker +pid (\d+)/m.exec(text)?.[1]);
  };

  // The experiment files, in the temporary folder.
  let files = 0;
  const file = async (name: string, text: string): Promise<string> => {
    const path = join(dir as string, `${String(files++).padStart(2, '0')}-${name}`);
    await writeFile(path, text);
    return path;
  };
  const ctkFile = (name: string, experiment: object) =>
    file(`${name}.json`, `${JSON.stringify(experiment, null, 2)}\n`);
  const experimentFiles = {
    cf: {
      gameDay: await file('game-day.yaml', chaosflow.gameDay(target)),
      steps: await file('steps-20.yaml', chaosflow.steps(target, STEPS)),
      step: await file('steps-1.yaml', chaosflow.steps(target, 1)),
      held: await file('held-60s.yaml', chaosflow.held(target, 60)),
      kill: await file(`held-${KILL_HOLD_S}s.yaml`, chaosflow.held(target, KILL_HOLD_S)),
    },
    ctk: {
      gameDay: await ctkFile('game-day', ctk.gameDay(target)),
      steps: await ctkFile('steps-20', ctk.steps(target, STEPS)),
      step: await ctkFile('steps-1', ctk.steps(target, 1)),
      held: await ctkFile('held-60s', ctk.held(target, 60)),
      kill: await ctkFile(`held-${KILL_HOLD_S}s`, ctk.held(target, KILL_HOLD_S)),
    },
  };
  let runs = 0;
  const cfRun = (path: string) => [...cli, 'run', path, '--no-report', '--address', address];
  const ctkRun = (path: string) => {
    const n = runs++;
    return [
      toolkit.chaos,
      '--no-version-check',
      '--log-file',
      join(dir as string, `ctk-${n}.log`),
      '--settings',
      join(dir as string, 'ctk-settings.yaml'),
      'run',
      '--journal-path',
      join(dir as string, `ctk-journal-${n}.json`),
      '--rollback-strategy',
      'always',
      path,
    ];
  };

  /** Waits until the namespace is as it was before the run (each run must leave it so before the next). */
  const settled = async (what: string, timeoutMs = 30_000): Promise<void> => {
    const deadline = performance.now() + timeoutMs;
    while (JSON.stringify(await ns.snapshot()) !== before) {
      if (performance.now() > deadline)
        throw new Error(`${what} left the namespace changed:\n${await iptables()}`);
      await sleep(100);
    }
  };
  const untilRule = async (run: Spawned): Promise<number> => {
    while ((await iptables()) === baseline) {
      if (run.child.exitCode !== null) throw new Error(`the run ended before injecting:\n${run.output()}`);
      if (performance.now() - run.started > 60_000) throw new Error(`no rule after 60 s:\n${run.output()}`);
      await sleep(POLL_MS);
    }
    return performance.now();
  };
  /** Polls iptables until the rule is gone or timeoutMs passes: the time it went, or undefined. */
  const untilGone = async (timeoutMs: number): Promise<number | undefined> => {
    const deadline = performance.now() + timeoutMs;
    while (performance.now() < deadline) {
      if ((await iptables()) === baseline) return performance.now();
      await sleep(POLL_MS);
    }
    return undefined;
  };
  /** The breakdown of the last chaosflow 20-step run, read before the 1-step run (the same entity). */
  let breakdown: StepBreakdown | undefined;
  const readStepBreakdown = async (): Promise<StepBreakdown> => {
    const id = /run Succeeded: (\S+)/.exec(lastOutput.get(`chaosflow ${STEPS} steps`) ?? '')?.[1];
    if (!id) throw new Error('the 20-step run did not print its workflow id');
    const connection = await Connection.connect({ address });
    try {
      return await stepBreakdown(new Client({ connection }), id, 'chaosflow-target/network/default/web-0');
    } finally {
      await connection.close();
    }
  };
  const tools = {
    chaosflow: { run: cfRun, files: experimentFiles.cf },
    'Chaos Toolkit': { run: ctkRun, files: experimentFiles.ctk },
  } as const;
  type Tool = keyof typeof tools;
  const toolNames = (Object.keys(tools) as Tool[]).filter((tool) =>
    tool === 'chaosflow' ? useChaosflow : useToolkit,
  );
  const results = new Map<string, Record<Tool, number[]>>();
  const record = (metric: string, tool: Tool, value: number) => {
    const row = results.get(metric) ?? { chaosflow: [], 'Chaos Toolkit': [] };
    row[tool].push(value);
    results.set(metric, row);
  };
  const leftovers: Record<Tool, string[]> = { chaosflow: [], 'Chaos Toolkit': [] };

  note('warm-up: one 1-step run of each (not counted)');
  for (const tool of toolNames) {
    await timed(`${tool} warm-up`, tools[tool].run(tools[tool].files.step));
    await settled(`${tool} warm-up`);
  }

  for (let pair = 1; pair <= pairs; pair++) {
    for (const tool of toolNames) {
      const t = tools[tool];
      note(`pair ${pair}/${pairs}: ${tool}: game day`);
      record('game day', tool, (await timed(`${tool} game day`, t.run(t.files.gameDay))) - 16_000);
      await settled(`${tool} game day`);
    }
  }
  for (let pair = 1; pair <= pairs; pair++) {
    for (const tool of toolNames) {
      const t = tools[tool];
      note(`pair ${pair}/${pairs}: ${tool}: ${STEPS} steps, 1 step`);
      record(`${STEPS} steps`, tool, await timed(`${tool} ${STEPS} steps`, t.run(t.files.steps)));
      await settled(`${tool} ${STEPS} steps`);
      if (tool === 'chaosflow' && pair === pairs) breakdown = await readStepBreakdown();
      record('1 step', tool, await timed(`${tool} 1 step`, t.run(t.files.step)));
      await settled(`${tool} 1 step`);
    }
  }
  for (let pair = 1; pair <= pairs; pair++) {
    for (const tool of toolNames) {
      const t = tools[tool];
      note(`pair ${pair}/${pairs}: ${tool}: SIGINT during a held partition`);
      const run = start(t.run(t.files.held));
      await untilRule(run);
      await sleep(1_000);
      const sent = performance.now();
      run.child.kill('SIGINT');
      const gone = await untilGone(30_000);
      const exited = await run.exit;
      if (gone === undefined) {
        leftovers[tool].push(`SIGINT: rule still there 30 s after Ctrl-C`);
        throw new Error(`${tool} left the rule 30 s after SIGINT:\n${run.output().slice(-3000)}`);
      }
      record('SIGINT -> rule gone', tool, gone - sent);
      record('SIGINT -> tool exited', tool, exited.at - sent);
      await settled(`${tool} SIGINT`);
    }
  }
  for (let pair = 1; pair <= pairs; pair++) {
    for (const tool of toolNames) {
      const t = tools[tool];
      note(`pair ${pair}/${pairs}: ${tool}: SIGKILL 1 s into an ${KILL_HOLD_S} s partition`);
      const run = start(t.run(t.files.kill));
      const injected = await untilRule(run);
      await sleep(1_000);
      const killed = performance.now();
      run.child.kill('SIGKILL');
      await run.exit;
      const gone = await untilGone((KILL_HOLD_S - 1 + KILL_GRACE_S) * 1000);
      if (gone === undefined) {
        leftovers[tool].push(`SIGKILL ${pair}: rule still there ${KILL_GRACE_S} s after its planned end`);
        await exec(ctkHealArgv(target)[0] as string, ctkHealArgv(target).slice(1)).catch(() => undefined);
      } else {
        record('SIGKILL -> rule gone', tool, gone - killed);
        record('SIGKILL: rule gone after its planned end by', tool, gone - injected - KILL_HOLD_S * 1000);
      }
      await settled(`${tool} SIGKILL`);
    }
  }
  const workerKills: { gone: number | undefined; late: number; phase: string }[] = [];
  for (let i = 1; useChaosflow && i <= pairs; i++) {
    note(`${i}/${pairs}: chaosflow: SIGKILL of the worker 1 s into an ${KILL_HOLD_S} s partition`);
    const run = start(cfRun(experimentFiles.cf.kill));
    const injected = await untilRule(run);
    await sleep(1_000);
    const killed = performance.now();
    process.kill(workerPid(), 'SIGKILL');
    const gone = await untilGone(KILL_HOLD_S * 1000 + 30_000);
    const { code } = await run.exit;
    workerKills.push({
      gone: gone === undefined ? undefined : gone - killed,
      late: gone === undefined ? Number.NaN : gone - injected - KILL_HOLD_S * 1000,
      phase: code === 0 ? 'Succeeded' : `exit ${code}`,
    });
    if (gone === undefined) leftovers.chaosflow.push(`worker SIGKILL ${i}: rule still there`);
    await settled('chaosflow worker SIGKILL', 60_000);
  }

  // The table.
  const ms = (v: number) => `${v.toFixed(0)} ms`;
  const rows: string[][] = [
    ['measure', 'chaosflow', 'Chaos Toolkit', 'chaosflow / CTK', 'values (cf | ctk)'],
  ];
  const row = (label: string, cf: number[], ck: number[], fmt = ms) => {
    const a = median(cf);
    const b = median(ck);
    rows.push([
      label,
      cf.length ? fmt(a) : '-',
      ck.length ? fmt(b) : '-',
      cf.length && ck.length ? (a / b).toFixed(2) : '-',
      `${cf.map((v) => v.toFixed(0)).join(' ')} | ${ck.map((v) => v.toFixed(0)).join(' ')}`,
    ]);
  };
  const get = (metric: string) => results.get(metric) ?? { chaosflow: [], 'Chaos Toolkit': [] };
  const game = get('game day');
  row('1. game day: wall beyond the 16 s of waits', game.chaosflow, game['Chaos Toolkit']);
  const many = get(`${STEPS} steps`);
  const one = get('1 step');
  const perStep = (values: number[]) => values.map((v) => (v - STEPS * STEP_HOLD_S * 1000) / STEPS);
  row(
    `2. ${STEPS} steps: (wall - ${STEPS} x 100 ms) / ${STEPS}`,
    perStep(many.chaosflow),
    perStep(many['Chaos Toolkit']),
  );
  const marginal = (m: number[], o: number[]) =>
    m.map((v, i) => (v - (o[i] ?? Number.NaN) - (STEPS - 1) * STEP_HOLD_S * 1000) / (STEPS - 1));
  row(
    `   marginal step: (wall(${STEPS}) - wall(1) - ${STEPS - 1} x 100 ms) / ${STEPS - 1}`,
    marginal(many.chaosflow, one.chaosflow),
    marginal(many['Chaos Toolkit'], one['Chaos Toolkit']),
  );
  row(`   wall, ${STEPS} steps`, many.chaosflow, many['Chaos Toolkit']);
  row('   wall, 1 step (start-up and teardown)', one.chaosflow, one['Chaos Toolkit']);
  const int = get('SIGINT -> rule gone');
  row('3. SIGINT during a held partition -> rule gone', int.chaosflow, int['Chaos Toolkit']);
  const intExit = get('SIGINT -> tool exited');
  row('   SIGINT -> tool exited', intExit.chaosflow, intExit['Chaos Toolkit']);
  const kill = get('SIGKILL -> rule gone');
  const late = get('SIGKILL: rule gone after its planned end by');
  const killRow = (tool: Tool) => {
    const left = leftovers[tool].filter((l) => l.startsWith('SIGKILL')).length;
    const n = left + kill[tool].length;
    if (n === 0) return '-';
    return left
      ? `left in ${left}/${n} (rule still there ${KILL_GRACE_S} s after its planned end; removed by the bench)`
      : `nothing left in ${n}/${n}; gone ${ms(median(kill[tool]))} after the kill (${ms(median(late[tool]))} after its planned end)`;
  };
  rows.push([
    `4. SIGKILL of the tool 1 s into an ${KILL_HOLD_S} s partition`,
    killRow('chaosflow'),
    killRow('Chaos Toolkit'),
    '-',
    '',
  ]);
  if (workerKills.length) {
    const wk = workerKills.filter((w) => w.gone !== undefined);
    rows.push([
      `   chaosflow only: SIGKILL of the worker, same partition`,
      `nothing left in ${wk.length}/${workerKills.length}; gone ${ms(median(wk.map((w) => w.gone as number)))} after the kill (${ms(median(wk.map((w) => w.late)))} after its planned end); runs: ${[...new Set(workerKills.map((w) => w.phase))].join(', ')}`,
      'n/a (one process)',
      '-',
      '',
    ]);
  }
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length))) ?? [];
  say(
    `chaosflow (chaosflow run against chaosflow dev) vs ${toolkit.version} (Chaos Toolkit), same target, ${pairs} pairs A B A B, medians`,
  );
  for (const [i, r] of rows.entries()) {
    say(
      r
        .map((cell, c) => cell.padEnd(widths[c] ?? 0))
        .join(' | ')
        .trimEnd(),
    );
    if (i === 0) say(widths.map((w) => '-'.repeat(w)).join('-|-'));
  }
  if (breakdown) for (const line of describeStepBreakdown(breakdown)) say(line);
} catch (err) {
  const code = (err as { exitCode?: number }).exitCode;
  if (code === undefined) process.stderr.write(`chaos-toolkit-side-by-side: ${errorMessage(err)}\n`);
  process.exitCode = 1;
} finally {
  await cleanup();
}
