import type { FaultEntry } from '../../common/run-status.js';
import { renderTable } from './render-table.js';

/** The fault ledger of a run: one row per injected target. */
export function renderFaults(faults: readonly FaultEntry[]): string {
  if (faults.length === 0) return 'no faults injected\n';
  // The cluster whose worker injected (and recovers) each fault, when any fault has one.
  const clustered = faults.some((f) => f.cluster !== undefined);
  return renderTable(
    [
      { header: 'NODE' },
      ...(clustered ? [{ header: 'CLUSTER' }] : []),
      { header: 'TARGET' },
      { header: 'FAULT' },
      { header: 'STATE' },
      { header: 'RECOVERS', align: 'right' },
      { header: 'LAST ERROR' },
    ],
    faults.map((f) => [
      f.nodeId,
      ...(clustered ? [f.cluster ?? ''] : []),
      f.target,
      f.action ? `${f.kind}/${f.action}` : f.kind,
      f.state,
      String(f.recoverAttempts),
      f.lastError ?? '',
    ]),
  );
}
