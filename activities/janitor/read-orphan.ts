/**
 * `readOrphan`: asks a closed run what it left to recover (its `recoveryRecords` query: a worker replays the
 * closed history, so this works for terminated and timed-out runs alike). When the workflow id has a newer run
 * that is still going — the orphan was closed by a reset — the faults that run holds are its own to recover and
 * are left out.
 */
import type { Client } from '@temporalio/client';
import { faultsQuery, recoveryRecordsQuery } from '../../workflows/messages.js';
import type { OrphanRecords, ReadOrphanInput } from '../contract.js';

export async function readOrphan(
  client: Client,
  { workflowId, runId }: ReadOrphanInput,
): Promise<OrphanRecords> {
  const { ref, records } = await client.workflow.getHandle(workflowId, runId).query(recoveryRecordsQuery);
  const current = client.workflow.getHandle(workflowId);
  const description = await current.describe();
  if (description.runId === runId || description.status.name !== 'RUNNING') {
    return { ref, records, leftToCurrentRun: [] };
  }
  const held = new Set(
    (await current.query(faultsQuery)).filter((f) => f.state !== 'Recovered').map((f) => f.key),
  );
  return {
    ref,
    records: records.filter((r) => !held.has(r.entry.key)),
    leftToCurrentRun: records.filter((r) => held.has(r.entry.key)).map((r) => r.entry.key),
  };
}
