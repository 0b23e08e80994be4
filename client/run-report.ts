/**
 * A run's report, read from Temporal: the status (live or final, `runs.ts`) and the history (plan, fault ledger,
 * aborts), so no worker is needed once the run has closed with a status. A run that has none (terminated or
 * timed out: no chaosflow code ran at its end) is still reported from its history, with no node tree, so the
 * faults it left injected show.
 */
import { errorMessage } from '../common/errors/chaosflow-error.js';
import { TERMINAL_PHASES, type RunStatus, type TerminalPhase } from '../common/run-status.js';
import { factsFromHistory, type HistoryFacts } from '../report/history-facts.js';
import { buildRunReport, type RunReport } from '../report/report-model.js';
import { readRunStatus, type RunView } from './runs.js';
import type { RunHandle } from './start-run.js';

export async function loadRunReport(
  handle: RunHandle,
  now: () => Date = () => new Date(),
): Promise<RunReport> {
  const facts = factsFromHistory(await handle.fetchHistory());
  const read = await readRunStatus(handle).catch((err: unknown) => standInStatus(handle, facts, err));
  const status = await closedWithoutChaosflow(handle, read);
  return buildRunReport({
    status,
    ...(facts.plan ? { plan: facts.plan } : {}),
    faults: facts.faults,
    markers: facts.markers,
    ...(read.orphan ? { orphan: read.orphan } : {}),
    generatedAt: now().toISOString(),
  });
}

/**
 * A terminated or timed-out run answers a query with the status it had then (a worker replays it), still
 * Running: its report says how it really ended, keeping the node tree.
 */
async function closedWithoutChaosflow(handle: RunHandle, status: RunView): Promise<RunStatus> {
  if (TERMINAL_PHASES.includes(status.phase as TerminalPhase)) return status;
  const description = await handle.describe();
  const closed = description.status.name;
  if (closed === 'RUNNING') return status;
  const { orphan: _orphan, ...rest } = status;
  return {
    ...rest,
    phase: 'Failed',
    abortReason:
      `the run ended ${closed} while ${status.phase}: no chaosflow code ran at its end` +
      (status.orphan ? '' : ', so faults it held may still be injected (see the fault ledger)'),
    ...(description.closeTime ? { endedAt: description.closeTime.toISOString() } : {}),
  };
}

/** What is known of a run without a chaosflow status: its plan's identity and Temporal's start and close times. */
async function standInStatus(handle: RunHandle, facts: HistoryFacts, err: unknown): Promise<RunView> {
  const { plan } = facts;
  if (!plan) throw err;
  const description = await handle.describe();
  return {
    workflowId: handle.workflowId,
    source: { kind: plan.source.kind, namespace: plan.source.namespace, name: plan.source.name },
    phase: 'Failed',
    paused: false,
    abortReason: `the run ended ${description.status.name} with no chaosflow status: ${errorMessage(err)}`,
    startedAt: description.startTime.toISOString(),
    ...(description.closeTime ? { endedAt: description.closeTime.toISOString() } : {}),
    entry: plan.entry,
    nodes: {},
  };
}
