/**
 * History size of a long StatusCheck: a Continuous check with a 1 s probe for D seconds (default 30), run twice on
 * the dev server with the real interpreter and HTTP probe — once all in the run (as every check did before
 * `workflows/status-check-workflow.ts`), once going on in its own workflow after a budget of 10 probes — and the
 * events and bytes per probe extrapolated to a one-hour game day against Temporal's limits (51,200 events or
 * 50 MB per history; warnings from 10,240 events or 10 MB). A check past PROBES_PER_HISTORY probes in the run
 * goes on in its own workflow, which continues as new every PROBES_PER_HISTORY probes: the run holds that budget
 * and the progress signals, and no history grows past the size of that many probes however long the check runs.
 *
 *   npx tsx scripts/bench/history-size.ts [seconds=30]
 */
import proto from '@temporalio/proto';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import type { PlanTemplate } from '../../common/plan.js';
import { startProbeTarget } from '../../test/fakes/probe-target.js';
import { workflowRuns } from '../../test/harness/workflow-runs.js';
import { startInterpreterEnv } from '../../test/workflows/interpreter-env.js';
import { plan, statusCheck } from '../../test/workflows/plan-builder.js';
import { PROBES_PER_HISTORY } from '../../workflows/nodes/status-check.js';
import { PROGRESS_EVERY_MS } from '../../workflows/status-check-workflow.js';

Runtime.install({ logger: new DefaultLogger('ERROR') });
const seconds = Math.min(PROBES_PER_HISTORY - 1, Math.max(25, Number(process.argv[2] ?? 30)));
const HOUR_PROBES = 3_600;
const EVENT_LIMIT = 51_200;
const EVENT_WARNING = 10_240;
const HANDOVER = 10;

const env = await startInterpreterEnv();
const probe = await startProbeTarget();

interface Size {
  events: number;
  bytes: number;
}
/** The size of the workflow's first run's history (a check's first, before it continues as new). */
async function sizeOf(workflowId: string): Promise<Size> {
  const [first] = await workflowRuns(env.temporal.client, workflowId);
  const history = await env.temporal.client.workflow.getHandle(workflowId, first?.runId).fetchHistory();
  return {
    events: history.events?.length ?? 0,
    bytes: proto.temporal.api.history.v1.History.encode(history).finish().length,
  };
}

async function runCheck(probesPerHistory: number): Promise<{ run: Size; check?: Size; probes: number }> {
  const check = statusCheck('check', probe.url, { mode: 'Continuous', durationMs: seconds * 1000 + 500 });
  const handle = await env.start(plan('check', { ...check, probesPerHistory } as PlanTemplate));
  const status = await handle.result();
  const node = status.nodes['check']!;
  const childId = node.probeWorkflowId;
  return {
    run: await sizeOf(handle.workflowId),
    ...(childId ? { check: await sizeOf(childId) } : {}),
    probes: node.probes?.length ?? 0,
  };
}

try {
  const inRun = await runCheck(Number.MAX_SAFE_INTEGER);
  // A budget of HANDOVER probes in the run, then HANDOVER per history of the check's workflow: its first history
  // holds HANDOVER probes.
  const ownWorkflow = await runCheck(HANDOVER);
  const perProbe = (s: Size, probes: number) => ({ events: s.events / probes, bytes: s.bytes / probes });
  const inRunPer = perProbe(inRun.run, inRun.probes);
  const checkPer = perProbe(ownWorkflow.check!, HANDOVER);
  const hourInRun = Math.round(inRunPer.events * HOUR_PROBES);
  const hourBytesInRun = Math.round(inRunPer.bytes * HOUR_PROBES);
  // A progress signal adds the signal event and one workflow task (3 events) to the run.
  const progressSignalsPerHour = 3_600_000 / PROGRESS_EVERY_MS + HOUR_PROBES / PROBES_PER_HISTORY;
  // The run: its budget of probes, the child's start and end (what the short run had beyond its probes), signals.
  const childOverhead = ownWorkflow.run.events - Math.round(HANDOVER * inRunPer.events);
  const hourRunWithChild = Math.round(
    PROBES_PER_HISTORY * inRunPer.events + childOverhead + progressSignalsPerHour * 4,
  );
  const largestCheckHistory = Math.round(checkPer.events * PROBES_PER_HISTORY);
  const rows = [
    ['measured over', `${inRun.probes} probes`, `${HANDOVER} probes (first history)`],
    ['events per probe', inRunPer.events.toFixed(1), checkPer.events.toFixed(1)],
    ['bytes per probe', inRunPer.bytes.toFixed(0), checkPer.bytes.toFixed(0)],
    ['one hour at 1 s: run history (events)', `${hourInRun}`, `${hourRunWithChild}`],
    ['one hour at 1 s: check workflow histories', '-', `${Math.ceil(HOUR_PROBES / PROBES_PER_HISTORY) - 1}`],
    [
      'one hour at 1 s: largest history (events)',
      `${hourInRun}`,
      `${Math.max(hourRunWithChild, largestCheckHistory)}`,
    ],
    ['one hour at 1 s: run history (MB)', (hourBytesInRun / 1e6).toFixed(1), '-'],
    ['hours until the 51,200-event limit', (EVENT_LIMIT / hourInRun).toFixed(2), 'none (continues as new)'],
  ];
  process.stdout.write(
    `StatusCheck history, 1 s probe (limit ${EVENT_LIMIT} events, warning ${EVENT_WARNING})\n`,
  );
  process.stdout.write(
    `  ${'metric'.padEnd(44)} ${'in the run'.padStart(12)} ${'own workflow'.padStart(24)}\n`,
  );
  for (const [name, a, b] of rows)
    process.stdout.write(`  ${name!.padEnd(44)} ${a!.padStart(12)} ${b!.padStart(24)}\n`);
  process.stdout.write(
    `${JSON.stringify({ bench: 'history-size', seconds, inRun, ownWorkflow, hourInRun, hourRunWithChild, largestCheckHistory, probesPerHistory: PROBES_PER_HISTORY })}\n`,
  );
} finally {
  await probe.close();
  await env.stop();
}
