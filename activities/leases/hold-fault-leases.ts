/**
 * `holdFaultLeases`: one long activity per run while the run may hold faults (docs/design.md §4, layer 5). Each
 * round it asks the run itself what it still holds (its `recoveryRecords` query, answered through the Temporal
 * service by a worker that has the run), renews the agent leases of those faults on each daemon
 * (`chaosflow.agent.v1.Leases/RenewLeases`), heartbeats, and sleeps a third of the shortest lease (at most 5 s).
 *
 * So renewals stop by themselves when what the lease guards against happens: the worker dies (the activity dies
 * with it), the Temporal service is unreachable or no worker can answer for the run (the query fails: that round
 * renews nothing), the run closed or was terminated (its heartbeat is refused and the activity is cancelled), the
 * network to the agent is cut (the renewal does not arrive). The run cancels the activity once its ledger is
 * drained. A daemon without the service (Chaos Mesh's own: UNIMPLEMENTED) keeps no leases and is not asked again.
 */
import type { Client } from '@temporalio/client';
import type { Logger } from 'pino';
import { errorMessage } from '../../common/errors/chaosflow-error.js';
import { recoveryRecordsQuery } from '../../workflows/messages.js';
import type { HoldFaultLeasesInput } from '../contract.js';
import { DaemonError } from '../daemon/daemon-error.js';
import type { DaemonConnector } from '../faults/daemon-connector.js';
import { agentLeaseKeys } from './agent-lease-keys.js';

/** A round's pause while no lease is known (a fault injected meanwhile is renewed within it). */
export const IDLE_ROUND_MS = 2_000;
const MIN_ROUND_MS = 250;
const MAX_ROUND_MS = 5_000;
const RENEW_DEADLINE_MS = 5_000;

export interface LeaseRound {
  readonly round: number;
  /** Keys the agents hold under a lease, renewed this round. */
  readonly renewed: number;
  /** Keys whose lease ran out and which their agent recovered. */
  readonly recoveredByLease: readonly string[];
  /** Why this round renewed nothing or not everything, if it did not. */
  readonly problem?: string;
}

export interface HoldFaultLeasesDeps {
  readonly client: Client;
  readonly connector: DaemonConnector;
  readonly logger: Logger;
}

export async function holdFaultLeases(
  input: HoldFaultLeasesInput,
  deps: HoldFaultLeasesDeps,
  heartbeat: (details: LeaseRound) => void,
  sleep: (ms: number) => Promise<void>,
): Promise<never> {
  const handle = deps.client.workflow.getHandle(input.workflowId, input.runId);
  const withoutLeases = new Set<string>();
  const reported = new Set<string>();
  for (let round = 1; ; round++) {
    let pause = IDLE_ROUND_MS;
    let renewed = 0;
    const problems: string[] = [];
    try {
      // This activity renews the faults of its own cluster only: another cluster's agents are its worker's.
      const records = (await handle.query(recoveryRecordsQuery)).records.filter(
        (r) => r.entry.cluster === input.cluster,
      );
      for (const [node, keys] of agentLeaseKeys(input.workflowId, records)) {
        if (withoutLeases.has(node)) continue;
        try {
          const daemon = await deps.connector.forNode(node);
          if (!daemon.renewLeases) continue;
          const started = performance.now();
          const statuses = await daemon.renewLeases(keys, { deadlineMs: RENEW_DEADLINE_MS });
          const ms = performance.now() - started;
          for (const status of statuses) {
            if (status.state === 'HELD') {
              renewed++;
              pause = Math.min(pause === IDLE_ROUND_MS ? MAX_ROUND_MS : pause, status.lease_ms / 3);
            } else if (status.state === 'RECOVERED' && !reported.has(status.key)) {
              reported.add(status.key);
              deps.logger.warn(
                { node, key: status.key, recoveredAt: status.recovered_at, message: status.message },
                'the agent recovered a fault of this run when its lease ran out',
              );
            }
          }
          deps.logger.debug({ node, keys: keys.length, ms: Math.round(ms) }, 'leases renewed');
        } catch (err) {
          if (err instanceof DaemonError && err.context.status === 'UNIMPLEMENTED') {
            withoutLeases.add(node);
            deps.logger.info({ node }, 'the daemon keeps no leases (no chaosflow.agent.v1.Leases service)');
            continue;
          }
          problems.push(`${node}: ${errorMessage(err)}`);
        }
      }
    } catch (err) {
      problems.push(`cannot ask the run what it holds: ${errorMessage(err)}`);
    }
    if (problems.length > 0) deps.logger.warn({ problems }, 'leases not renewed');
    heartbeat({
      round,
      renewed,
      recoveredByLease: [...reported],
      ...(problems.length ? { problem: problems.join('; ') } : {}),
    });
    await sleep(Math.max(MIN_ROUND_MS, Math.floor(pause)));
  }
}
