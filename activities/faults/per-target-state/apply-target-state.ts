/**
 * `applyTargetState` for the worker: sends a pod's merged state of one family to its daemon (network:
 * `network-chaos/apply-network-state.ts`, IO: `io-chaos/apply-io-state.ts`, HTTP: `http-chaos/apply-http-state.ts`). The per-target entity
 * workflow calls it after a change, one call at a time per pod (changes that arrive meanwhile go in the next call).
 */
import type { FaultFamily } from '../../../common/target-state.js';
import type {
  ApplyTargetStateInput,
  ApplyTargetStateInputOf,
  ApplyTargetStateResult,
} from '../../contract.js';
import type { DaemonClientPool } from '../../daemon/daemon-client-pool.js';
import type { TargetSource } from '../../targets/target-source.js';
import { createDaemonConnector, type DaemonConnector } from '../daemon-connector.js';
import { applyHttpState } from '../http-chaos/apply-http-state.js';
import { applyIOState } from '../io-chaos/apply-io-state.js';
import { applyNetworkState } from '../network-chaos/apply-network-state.js';
import type { StateApplierDeps } from './applier-deps.js';

export interface TargetStateApplierOptions {
  pool: DaemonClientPool;
  source: Pick<TargetSource, 'listPods' | 'daemonFor'>;
  /** Overrides how daemons are reached (tests). Default: `pool` and `source.daemonFor`. */
  connector?: DaemonConnector;
}

export type TargetStateApplier = (
  input: ApplyTargetStateInput,
  signal: AbortSignal,
) => Promise<ApplyTargetStateResult>;

type StateApplier<F extends FaultFamily> = (
  input: ApplyTargetStateInputOf<F>,
  deps: StateApplierDeps,
  signal: AbortSignal,
) => Promise<ApplyTargetStateResult>;

const APPLIERS: { readonly [F in FaultFamily]: StateApplier<F> } = {
  network: applyNetworkState,
  io: applyIOState,
  http: applyHttpState,
};

/** Generic, so the compiler pairs each family's state with its own applier. */
function applyWith<F extends FaultFamily>(
  input: ApplyTargetStateInputOf<F>,
  deps: StateApplierDeps,
  signal: AbortSignal,
): Promise<ApplyTargetStateResult> {
  return APPLIERS[input.family](input, deps, signal);
}

export function createTargetStateApplier(options: TargetStateApplierOptions): TargetStateApplier {
  const deps: StateApplierDeps = {
    connector: options.connector ?? createDaemonConnector(options.pool, options.source),
    source: options.source,
  };
  return (input, signal) => applyWith(input, deps, signal);
}
