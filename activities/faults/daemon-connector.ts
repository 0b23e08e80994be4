/**
 * How a fault driver reaches the daemon of a target's node: the target source says where the daemon is (and its
 * TLS files), the worker's client pool holds one channel per daemon. The TLS files are read on each connect, so
 * rotated certificates are picked up; the pool keys channels by their content, so a rotation opens a new one.
 */
import type {
  AgentExtensionRpc,
  ExtensionRequestInput,
  ExtensionResponse,
} from '../../proto/agent-extensions-proto.js';
import { errorMessage } from '../../common/errors/chaosflow-error.js';
import type { DaemonAnswer, DaemonCallOptions } from '../daemon/daemon-client.js';
import type { LeaseStatus } from '../../proto/agent-leases-proto.js';
import type { DaemonClientPool } from '../daemon/daemon-client-pool.js';
import type { ChaosDaemonRpc, RequestInput, DecodedResponse } from '../../proto/chaos-daemon-rpcs.js';
import { readDaemonTls, type DaemonTransport } from '../daemon/daemon-credentials.js';
import { DaemonError } from '../daemon/daemon-error.js';
import { ActivityError } from '../errors.js';
import { InventoryError } from '../targets/inventory-error.js';
import type { TargetSource } from '../targets/target-source.js';

/** What drivers need of a daemon client (`DaemonClient` has it; unit tests pass a FAKE recorder). */
export interface DaemonCaller {
  call<R extends ChaosDaemonRpc>(
    rpc: R,
    request: RequestInput<R>,
    options?: DaemonCallOptions,
  ): Promise<DecodedResponse<R>>;
  /** `call`, with the agent's `chaosflow-warning` trailers (`DaemonClient.callWithWarnings`); absent in fakes. */
  callWithWarnings?<R extends ChaosDaemonRpc>(
    rpc: R,
    request: RequestInput<R>,
    options?: DaemonCallOptions,
  ): Promise<DaemonAnswer<DecodedResponse<R>>>;
  /** chaosflow's agent extensions (`proto/chaosflow-agent.proto`): only the chaosflow agent serves them. */
  callExtension<R extends AgentExtensionRpc>(
    rpc: R,
    request: ExtensionRequestInput<R>,
    options?: DaemonCallOptions,
  ): Promise<ExtensionResponse<R>>;
  /** `callExtension`, with the agent's `chaosflow-warning` trailers; absent in fakes. */
  callExtensionWithWarnings?<R extends AgentExtensionRpc>(
    rpc: R,
    request: ExtensionRequestInput<R>,
    options?: DaemonCallOptions,
  ): Promise<DaemonAnswer<ExtensionResponse<R>>>;
  /** chaosflow's agent: extends its leases of `keys` (`DaemonClient.renewLeases`); absent in driver fakes. */
  renewLeases?(keys: readonly string[], options?: DaemonCallOptions): Promise<LeaseStatus[]>;
}

export interface DaemonConnector {
  /** The daemon serving `node`. Throws ActivityError when the node or its TLS material is unusable. */
  forNode(node: string): Promise<DaemonCaller>;
}

export function createDaemonConnector(
  pool: DaemonClientPool,
  source: Pick<TargetSource, 'daemonFor'>,
): DaemonConnector {
  return {
    async forNode(node) {
      let ref;
      try {
        ref = await source.daemonFor(node);
      } catch (err) {
        const code = err instanceof InventoryError ? 'INVALID_INPUT' : 'UNAVAILABLE';
        throw new ActivityError(code, `no daemon for node ${node}: ${errorMessage(err)}`, {
          cause: err,
        });
      }
      try {
        const transport: DaemonTransport = ref.tls
          ? { kind: 'mtls', tls: await readDaemonTls(ref.tls, ref.address) }
          : { kind: 'plaintext' };
        return pool.get({ address: ref.address, transport });
      } catch (err) {
        if (err instanceof DaemonError) {
          throw new ActivityError('INVALID_INPUT', err.message, { cause: err });
        }
        throw new ActivityError('UNAVAILABLE', `cannot reach the daemon of node ${node}: ${String(err)}`, {
          cause: err,
        });
      }
    },
  };
}
