/**
 * The agent's metrics (served on `--metrics-address`):
 *
 * | metric | type | labels |
 * |---|---|---|
 * | `chaosflow_agent_rpc_duration_seconds` | histogram | `rpc` (the Chaos Daemon RPCs), `code` (gRPC status: OK, NOT_FOUND, ...) |
 * | `chaosflow_agent_faults_held` | gauge | `family` (network, stress): journal entries not yet recovered |
 *
 * The held faults are read from the journal at each scrape, so they include faults injected before a restart.
 * A container-kill holds nothing (its journal entry only remembers the kill) and is not counted.
 */
import { status } from '@grpc/grpc-js';
import type { Registry } from 'prom-client';
import { Gauge } from 'prom-client';
import { CHAOS_DAEMON_RPCS, type ChaosDaemonRpc } from '../proto/chaos-daemon-rpcs.js';
import { boundLabel } from '../telemetry/bounded-labels.js';
import { boundedHistogram } from '../telemetry/bounded-metrics.js';
import { DURATION_BUCKETS } from '../telemetry/metric-registry.js';
import type { Journal, JournalEntry } from './journal.js';

/** gRPC status names (`OK`, `NOT_FOUND`, ...). */
const STATUS_NAMES = Object.keys(status).filter((name) => Number.isNaN(Number(name)));

export const FAULT_FAMILIES = ['network', 'stress'] as const;

export class AgentMetrics {
  readonly #rpcDuration;
  #journal: Journal | undefined;

  constructor(readonly registry: Registry) {
    this.#rpcDuration = boundedHistogram(registry, {
      name: 'chaosflow_agent_rpc_duration_seconds',
      help: 'Time of one Chaos Daemon RPC served by the agent, by RPC and gRPC status',
      labels: { rpc: CHAOS_DAEMON_RPCS, code: STATUS_NAMES },
      buckets: DURATION_BUCKETS,
    });
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the collect callback runs with prom-client's `this`
    const metrics = this;
    new Gauge({
      name: 'chaosflow_agent_faults_held',
      help: "Faults in the agent's journal that are not yet recovered, by family",
      labelNames: ['family'],
      registers: [registry],
      collect() {
        const counts = heldByFamily(metrics.#journal?.entries() ?? []);
        for (const family of FAULT_FAMILIES) this.set({ family }, counts[family]);
      },
    });
  }

  /** Where the held faults are read from. */
  watch(journal: Journal): void {
    this.#journal = journal;
  }

  /** One served RPC; `code` is the gRPC status number. */
  rpc(rpc: ChaosDaemonRpc, code: number, seconds: number): void {
    const name = boundLabel(STATUS_NAMES, String((status as Record<number, string>)[code] ?? ''));
    this.#rpcDuration.observe({ rpc, code: name }, seconds);
  }
}

export function heldByFamily(
  entries: readonly JournalEntry[],
): Record<(typeof FAULT_FAMILIES)[number], number> {
  const counts = { network: 0, stress: 0 };
  for (const entry of entries) {
    if (entry.state === 'recovered') continue;
    if (entry.network) counts.network++;
    if (entry.stressors?.length) counts.stress++;
  }
  return counts;
}
