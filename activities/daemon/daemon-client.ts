/**
 * The Chaos Daemon client: one typed `call` for every RPC of `pb.ChaosDaemon`, against Chaos Mesh's daemon or
 * chaosflow's agent. Each call carries a deadline (default 60 s, like Chaos Mesh's controller), the metadata
 * `namespaced-name: <ns>/<name>` Chaos Mesh sends, and `chaosflow-fault-key: <run>/<node>/<target>` which the
 * chaosflow agent keys its journal and idempotency on (Chaos Mesh's daemon ignores it). Failures come back as
 * `DaemonError`.
 */
import {
  type Client,
  Metadata,
  type ServiceDefinition,
  type ServiceError,
  type StatusObject,
} from '@grpc/grpc-js';
import type { MethodDefinition } from '@grpc/proto-loader';
import {
  agentExtensionsProto,
  type AgentExtensionRpc,
  type ExtensionRequestInput,
  type ExtensionResponse,
} from '../../proto/agent-extensions-proto.js';
import {
  agentLeasesProto,
  type AgentLeaseRpc,
  type LeaseStatus,
  type ListLeasesResponse,
  type RenewLeasesResponse,
} from '../../proto/agent-leases-proto.js';
import { chaosDaemonProto } from '../../proto/chaos-daemon-proto.js';
import type { ChaosDaemonRpc, DecodedResponse, RequestInput } from '../../proto/chaos-daemon-rpcs.js';
import {
  FAULT_KEY_METADATA,
  LEASE_METADATA,
  NAMESPACED_NAME_METADATA,
  WARNING_METADATA,
} from '../../proto/daemon-metadata.js';
import { DaemonError, wrapCallError } from './daemon-error.js';

export const DEFAULT_DAEMON_DEADLINE_MS = 60_000;

/** Identifies one injected fault: the chaosflow run, the node of its plan, and the target (container id). */
export interface FaultKey {
  readonly run: string;
  readonly node: string;
  readonly target: string;
}

export interface DaemonCallOptions {
  readonly faultKey?: FaultKey;
  /** `<namespace>/<name>` of the chaos (or run), for the daemon's logs. */
  readonly namespacedName?: string;
  /** Overrides the client's default deadline. */
  readonly deadlineMs?: number;
  /** Cancels the call (for example an activity's cancellation signal); the call then fails with CANCELLED. */
  readonly signal?: AbortSignal;
  /** The lease of the fault this call applies (`chaosflow-lease`, a Go duration); chaosflow's agent only. */
  readonly lease?: string;
}

/** `<run>/<node>/<target>`, with characters that may not appear in gRPC metadata percent-encoded. */
export function faultKeyValue(key: FaultKey): string {
  return asciiMetadata(`${key.run}/${key.node}/${key.target}`);
}

function asciiMetadata(value: string): string {
  return value.replace(/[^\x20-\x7e]/gu, (ch) => encodeURIComponent(ch));
}

export class DaemonClient {
  readonly #client: Client;
  readonly #defaultDeadlineMs: number;
  readonly #unavailableHint: string | undefined;

  /**
   * Use `DaemonClientPool.get`; the pool owns the channel. `unavailableHint` is added to the message of an
   * UNAVAILABLE failure (what the transport may have got wrong).
   */
  constructor(
    readonly endpoint: string,
    client: Client,
    defaultDeadlineMs: number = DEFAULT_DAEMON_DEADLINE_MS,
    unavailableHint?: string,
  ) {
    this.#client = client;
    this.#defaultDeadlineMs = defaultDeadlineMs;
    this.#unavailableHint = unavailableHint;
  }

  call<R extends ChaosDaemonRpc>(
    rpc: R,
    request: RequestInput<R>,
    options: DaemonCallOptions = {},
  ): Promise<DecodedResponse<R>> {
    return this.callWithWarnings(rpc, request, options).then((answer) => answer.response);
  }

  /**
   * `call`, with the warnings the chaosflow agent sent back in `chaosflow-warning` trailers (a fault its lease had
   * recovered already, drift left after the last recover). Chaos Mesh's daemon sends none.
   */
  callWithWarnings<R extends ChaosDaemonRpc>(
    rpc: R,
    request: RequestInput<R>,
    options: DaemonCallOptions = {},
  ): Promise<DaemonAnswer<DecodedResponse<R>>> {
    // The service is typed per RPC; grpc-js's call cannot follow a generic RPC name, so it gets the untyped view.
    const service: ServiceDefinition = chaosDaemonProto().service;
    const method = service[rpc];
    if (!method) {
      return Promise.reject(
        new DaemonError('DAEMON_CALL_FAILED', {
          endpoint: this.endpoint,
          rpc,
          status: 'UNIMPLEMENTED',
          serverMessage: `the loaded proto has no RPC ${rpc}`,
        }),
      );
    }
    const metadata = new Metadata();
    if (options.namespacedName) metadata.set(NAMESPACED_NAME_METADATA, asciiMetadata(options.namespacedName));
    if (options.faultKey) metadata.set(FAULT_KEY_METADATA, faultKeyValue(options.faultKey));
    if (options.lease) metadata.set(LEASE_METADATA, options.lease);
    return this.#unary(rpc, method, request as object, metadata, options) as Promise<
      DaemonAnswer<DecodedResponse<R>>
    >;
  }

  /**
   * `chaosflow.agent.v1.Leases/RenewLeases`: extends the agent's leases of `keys` (fault key values). A daemon
   * without the service (Chaos Mesh's) fails with UNIMPLEMENTED: it keeps no leases.
   */
  async renewLeases(keys: readonly string[], options: DaemonCallOptions = {}): Promise<LeaseStatus[]> {
    const method = agentLeasesProto().service.RenewLeases;
    const answer = await this.#unary('RenewLeases', method, { keys }, new Metadata(), options);
    return (answer.response as RenewLeasesResponse).leases;
  }

  /** `chaosflow.agent.v1.Leases/ListLeases`: what the agent holds under a lease, and what leases recovered. */
  async listLeases(options: DaemonCallOptions = {}): Promise<LeaseStatus[]> {
    const method = agentLeasesProto().service.ListLeases;
    const answer = await this.#unary('ListLeases', method, {}, new Metadata(), options);
    return (answer.response as ListLeasesResponse).leases;
  }

  /** An RPC of chaosflow's agent extensions (`proto/chaosflow-agent.proto`), which Chaos Mesh's daemon lacks. */
  async callExtension<R extends AgentExtensionRpc>(
    rpc: R,
    request: ExtensionRequestInput<R>,
    options: DaemonCallOptions = {},
  ): Promise<ExtensionResponse<R>> {
    return (await this.callExtensionWithWarnings(rpc, request, options)).response;
  }

  /** `callExtension`, with the agent's `chaosflow-warning` trailers (a DNS fault its lease recovered already). */
  async callExtensionWithWarnings<R extends AgentExtensionRpc>(
    rpc: R,
    request: ExtensionRequestInput<R>,
    options: DaemonCallOptions = {},
  ): Promise<DaemonAnswer<ExtensionResponse<R>>> {
    const method = (agentExtensionsProto().service as ServiceDefinition)[rpc];
    if (!method) throw new Error(`the loaded proto has no RPC ${rpc}`);
    const metadata = new Metadata();
    if (options.namespacedName) metadata.set(NAMESPACED_NAME_METADATA, asciiMetadata(options.namespacedName));
    if (options.faultKey) metadata.set(FAULT_KEY_METADATA, faultKeyValue(options.faultKey));
    if (options.lease) metadata.set(LEASE_METADATA, options.lease);
    return (await this.#unary(rpc, method, request as object, metadata, options)) as DaemonAnswer<
      ExtensionResponse<R>
    >;
  }

  #unary(
    rpc: ChaosDaemonRpc | AgentLeaseRpc | AgentExtensionRpc,
    method: Pick<MethodDefinition<object, object>, 'path' | 'requestSerialize' | 'responseDeserialize'>,
    request: object,
    metadata: Metadata,
    options: DaemonCallOptions,
  ): Promise<DaemonAnswer<unknown>> {
    const deadline = Date.now() + (options.deadlineMs ?? this.#defaultDeadlineMs);
    const signal = options.signal;

    return new Promise<DaemonAnswer<unknown>>((resolve, reject) => {
      if (signal?.aborted) {
        reject(
          new DaemonError('DAEMON_CALL_FAILED', {
            endpoint: this.endpoint,
            rpc,
            status: 'CANCELLED',
            serverMessage: 'cancelled before the call was sent',
          }),
        );
        return;
      }
      const onAbort = (): void => call.cancel();
      let response: unknown;
      let answered = false;
      const call = this.#client.makeUnaryRequest(
        method.path,
        method.requestSerialize as (value: object) => Buffer,
        method.responseDeserialize as (bytes: Buffer) => unknown,
        request,
        metadata,
        { deadline },
        (err: ServiceError | null, value?: unknown) => {
          signal?.removeEventListener('abort', onAbort);
          if (err) reject(wrapCallError(err, this.endpoint, rpc, this.#unavailableHint));
          else {
            response = value ?? {};
            answered = true;
          }
        },
      );
      // grpc-js calls back before it emits the status that carries the trailers.
      call.on('status', (status: StatusObject) => {
        if (!answered) return;
        const warnings = status.metadata
          .get(WARNING_METADATA)
          .map((v) => (typeof v === 'string' ? v : v.toString('utf8')));
        resolve({ response, warnings });
      });
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}

/** A response and the warnings that came with it. */
export interface DaemonAnswer<T> {
  readonly response: T;
  readonly warnings: readonly string[];
}
