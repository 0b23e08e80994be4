/**
 * A run's report, read from Temporal: the status (live or final, `runs.ts`) and the history (plan, fault ledger,
 * aborts), so no worker is needed once the run has closed with a status.
 */
import { buildRunReport, type RunReport } from '../report/report-model.js';
import { factsFromHistory } from '../report/history-facts.js';
import { readRunStatus } from './runs.js';
import type { RunHandle } from './start-run.js';

export async function loadRunReport(
  handle: RunHandle,
  now: () => Date = () => new Date(),
): Promise<RunReport> {
  const [status, history] = await Promise.all([readRunStatus(handle), handle.fetchHistory()]);
  const facts = factsFromHistory(history);
  return buildRunReport({
    status,
    ...(facts.plan ? { plan: facts.plan } : {}),
    faults: facts.faults,
    markers: facts.markers,
    generatedAt: now().toISOString(),
  });
}
