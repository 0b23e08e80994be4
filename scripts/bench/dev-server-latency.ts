/**
 * Latency limits of the embedded Temporal dev server (issue 15), measured twice: with `temporal server
 * start-dev`'s own defaults (plus only what chaosflow needs to work) and with `EMBEDDED_DYNAMIC_CONFIG`.
 *
 * - activity round trips of one workflow: activities 2–25, 26–50 and 51–100 (the shard's transfer queue polls
 *   at most 20 times a second by default, so once its burst is spent each round trip takes 50 ms; the slower
 *   the machine, the more activities the burst covers);
 * - sub-second timers: how much later than asked they fire (TimerStarted to TimerFired in the history), alone
 *   and beside a chain of activities (each activity's timeout timer also goes through the timer queue);
 * - sub-second `deadline` of a chaos step: how much later than the step's start plus its deadline the deadline
 *   timer fired, the fault was recovered and the step ended (the FAKE driver, so only orchestration is measured:
 *   after the timer, recovering takes the workflow task that cuts the node and the recover's own round trips,
 *   and a deadline shorter than resolving and injecting take is cut only once the inject has returned). The
 *   deadline timer starts when the workflow task that starts the step completes, so that task's time on a busy
 *   worker also counts against the step's start.
 *
 * Figures are medians and maxima over `repeats` runs. The goal, deadlines under a second honoured to within
 * 50 ms, is checked on the deadline timer (when the step starts to end).
 *
 *   npx tsx scripts/bench/dev-server-latency.ts [repeats=3]
 */
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { EMBEDDED_DYNAMIC_CONFIG, type DynamicConfigValue } from '../../embedded/temporal-dev-server.js';
import { chaos, plan } from '../../test/workflows/plan-builder.js';
import { startInterpreterEnv, type InterpreterEnv } from '../../test/workflows/interpreter-env.js';
import type { activityChain, timerSeries } from './dev-server-latency-workflows.js';
import { eventMs, type HistoryEvent } from './history-event-ms.js';

// Errors only, and not the one every run logs here: the interpreter env's worker has no Temporal client or
// daemons, so each run's lease renewal (holdFaultLeases) is refused at once, which is expected with the FAKE
// driver. Installed again for each server: the runtime shuts down once the last connection of the previous one
// is closed.
const print = new DefaultLogger('ERROR');
function installRuntime(): void {
  if (Runtime._instance !== undefined) return;
  Runtime.install({
    logger: new DefaultLogger('ERROR', (entry) => {
      if (!entry.message.includes('leases on this run')) print.log(entry.level, entry.message, entry.meta);
    }),
  });
}

const repeats = Number(process.argv[2] ?? 3);
const CHAIN = 100;
const FAST = 25;
const TIMERS_MS = [1, 10, 50, 100, 250, 500, 750, 900];
const DEADLINES_MS = [1, 10, 50, 100, 250, 500, 900];
const GOAL_MS = 50;

/** Before issue 15: only the two settings chaosflow needs to work, the rest start-dev's defaults. */
const START_DEV_DEFAULTS: Readonly<Record<string, DynamicConfigValue>> = {
  'frontend.enableUpdateWorkflowExecution': true,
  'system.enableActivityEagerExecution': true,
};

const median = (xs: readonly number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const max = (xs: readonly number[]) => Math.max(...xs);
const fmt = (xs: readonly number[]) => `median ${median(xs).toFixed(1)} ms, max ${max(xs).toFixed(1)} ms`;

const durationMs = (d: { seconds?: unknown; nanos?: number | null } | null | undefined) =>
  Number(d?.seconds ?? 0) * 1000 + (d?.nanos ?? 0) / 1e6;

/** Timer lateness (fired − started − asked) by asked duration, from a history. */
interface TimerFiring {
  askedMs: number;
  lateMs: number;
  firedAtMs: number;
}

function timerLateness(events: readonly HistoryEvent[]): TimerFiring[] {
  const started = new Map<string, HistoryEvent>();
  const out: TimerFiring[] = [];
  for (const e of events) {
    const id = e.timerStartedEventAttributes?.timerId ?? e.timerFiredEventAttributes?.timerId;
    if (!id) continue;
    if (e.timerStartedEventAttributes) started.set(id, e);
    const start = started.get(id);
    if (e.timerFiredEventAttributes && start) {
      const askedMs = durationMs(start.timerStartedEventAttributes?.startToFireTimeout);
      out.push({ askedMs, lateMs: eventMs(e) - eventMs(start) - askedMs, firedAtMs: eventMs(e) });
    }
  }
  return out;
}

async function measure(label: string, dynamicConfig: Readonly<Record<string, DynamicConfigValue>>) {
  installRuntime();
  const env: InterpreterEnv = await startInterpreterEnv({ dynamicConfig });
  const stamps: number[] = [];
  const worker = await Worker.create({
    connection: env.temporal.nativeConnection,
    namespace: env.temporal.namespace,
    taskQueue: 'bench-latency',
    workflowBundle: await bundleWorkflowCode({
      workflowsPath: fileURLToPath(new URL('./dev-server-latency-workflows.ts', import.meta.url)),
      logger: new DefaultLogger('WARN'),
    }),
    activities: {
      stamp: (i: number) => {
        stamps[i] = performance.now();
        return Promise.resolve();
      },
    },
  });
  const running = worker.run();
  const { client } = env.temporal;
  try {
    // Timers alone (first, while no activity timeouts are due), then beside a chain of activities whose 1 s
    // timeout timers keep the timer queue busy.
    const timers = async (beside: boolean): Promise<number[]> => {
      const out: number[] = [];
      for (let r = 0; r < repeats; r++) {
        const busy = beside
          ? client.workflow.execute<typeof activityChain>('activityChain', {
              taskQueue: 'bench-latency',
              workflowId: `bench-busy-${r}-${Date.now()}`,
              args: [CHAIN * 2, 1_000],
            })
          : Promise.resolve();
        // Once the chain's first timeouts come due.
        if (beside) await new Promise((resolve) => setTimeout(resolve, 1_500));
        const handle = await client.workflow.start<typeof timerSeries>('timerSeries', {
          taskQueue: 'bench-latency',
          workflowId: `bench-timers-${r}-${Date.now()}`,
          args: [TIMERS_MS],
        });
        await handle.result();
        await busy;
        const { events } = await handle.fetchHistory();
        out.push(...timerLateness(events ?? []).map((t) => t.lateMs));
      }
      return out;
    };
    const idleTimers = await timers(false);

    // Activity round trips: the time from one activity's start to the next one's, in the worker.
    const early: number[] = [];
    const middle: number[] = [];
    const late: number[] = [];
    for (let r = 0; r < repeats; r++) {
      // Idle first, so that each chain starts with the limiter's burst refilled (it refills at its rate).
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      stamps.length = 0;
      await client.workflow.execute<typeof activityChain>('activityChain', {
        taskQueue: 'bench-latency',
        workflowId: `bench-chain-${r}-${Date.now()}`,
        args: [CHAIN],
      });
      for (let i = 1; i < CHAIN; i++) {
        const roundTrip = stamps[i]! - stamps[i - 1]!;
        (i < FAST ? early : i < 2 * FAST ? middle : late).push(roundTrip);
      }
    }

    const busyTimers = await timers(true);

    // A chaos step alone in a run: resolve targets, inject, hold until the deadline, recover. Measured: when
    // its deadline timer fired, when the FAKE driver was asked to recover the fault, and when the step ended,
    // each against the step's start plus its deadline.
    const fired = new Map<number, number[]>(DEADLINES_MS.map((ms) => [ms, []]));
    const recovered = new Map<number, number[]>(DEADLINES_MS.map((ms) => [ms, []]));
    const ended = new Map<number, number[]>(DEADLINES_MS.map((ms) => [ms, []]));
    const afterFire: number[] = [];
    const step = async (ms: number) => {
      const handle = await env.start(plan('step', chaos('step', ['pod-a'], { deadlineMs: ms })));
      const status = await handle.result();
      const node = Object.values(status.nodes).find((n) => n.template === 'step');
      if (!node?.startedAt || !node.endedAt || node.phase !== 'Succeeded')
        throw new Error(`the chaos step did not succeed: ${JSON.stringify(node)}`);
      const due = Date.parse(node.startedAt) + ms;
      const { events } = await handle.fetchHistory();
      const timer = timerLateness(events ?? []).find((t) => t.askedMs === ms);
      const recover = env.driver.calls.find((c) => c.op === 'recover' && c.nodeId === node.id);
      return {
        firedMs: timer?.lateMs,
        recoverMs: recover && recover.at - due,
        afterFireMs: recover && timer && recover.at - timer.firedAtMs,
        endMs: Date.parse(node.endedAt) - due,
      };
    };
    await step(100); // warm-up: the first run of a worker pays for its workflow context
    for (let r = 0; r < repeats; r++) {
      for (const ms of DEADLINES_MS) {
        env.driver.calls.length = 0;
        const { firedMs, recoverMs, afterFireMs, endMs } = await step(ms);
        if (afterFireMs !== undefined) afterFire.push(afterFireMs);
        if (firedMs !== undefined) fired.get(ms)!.push(firedMs);
        if (recoverMs !== undefined) recovered.get(ms)!.push(recoverMs);
        ended.get(ms)!.push(endMs);
      }
    }

    const all = (m: Map<number, number[]>) => [...m.values()].flat();
    const allFired = all(fired);
    const lines = [
      `${label}`,
      `  activity round trip, activities 2–${FAST}:      ${fmt(early)}`,
      `  activity round trip, activities ${FAST + 1}–${2 * FAST}:     ${fmt(middle)}`,
      `  activity round trip, activities ${2 * FAST + 1}–${CHAIN}:    ${fmt(late)}`,
      `  timer lateness, timers alone:              ${fmt(idleTimers)}`,
      `  timer lateness, beside activities:         ${fmt(busyTimers)}`,
      `  chaos step deadline (${DEADLINES_MS.join(', ')} ms), after the step's start + deadline:`,
      `    deadline timer fired:                    ${fmt(allFired)}` +
        ` (goal <= ${GOAL_MS} ms: ${max(allFired) <= GOAL_MS ? 'met' : 'NOT met'})`,
      `    fault recovered (driver called):         ${fmt(all(recovered))}`,
      `    fault recovered, after the timer fired:  ${fmt(afterFire)}`,
      `    step ended:                              ${fmt(all(ended))}`,
      ...DEADLINES_MS.map(
        (ms) =>
          `    deadline ${String(ms).padStart(3)} ms: fired ${fmt(fired.get(ms)!)}; recovered ${fmt(recovered.get(ms)!)}; ended ${fmt(ended.get(ms)!)}`,
      ),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    worker.shutdown();
    await running;
    await env.stop();
  }
}

process.stdout.write(`dev server latency, ${repeats} repeats, ${CHAIN} activities per chain\n`);
await measure('start-dev defaults (before issue 15)', START_DEV_DEFAULTS);
await measure('embedded defaults (EMBEDDED_DYNAMIC_CONFIG)', EMBEDDED_DYNAMIC_CONFIG);
