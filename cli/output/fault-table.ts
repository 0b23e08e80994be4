import type { FaultEntry } from '../../common/run-status.js';
import { renderTable } from './render-table.js';

/** The fault ledger of a run: one row per injected target. */
export function renderFaults(faults: readonly FaultEntry[]): string {
  if (faults.length === 0) return 'no faults injected\n';
  return renderTable(
    [
      { header: 'NODE' },
      { header: 'TARGET' },
      { header: 'FAULT' },
      { header: 'STATE' },
      { header: 'RECOVERS', align: 'right' },
      { header: 'LAST ERROR' },
    ],
    faults.map((f) => [
      f.nodeId,
      f.target,
      f.action ? `${f.kind}/${f.action}` : f.kind,
      f.state,
      String(f.recoverAttempts),
      f.lastError ?? '',
    ]),
  );
}
