/**
 * The Chaos Daemon client: one typed `call` for every RPC of `pb.ChaosDaemon`, against Chaos Mesh's daemon or
 * chaosflow's agent. Each call carries a deadline (default 60 s, like Chaos Mesh's controller), the metadata
 * `namespaced-name: <ns>/<name>` Chaos Mesh sends, and `chaosflow-fault-key: <run>/<node>/<target>` which the
 * chaosflow agent keys its journal and idempotency on (Chaos Mesh's daemon ignores it). Failures come back as
 * `DaemonError`.
 */
import { type Client, Metadata, type ServiceDefinition, type ServiceError } from '@grpc/grpc-js';
import {
  agentExtensionsProto,
  type AgentExtensionRpc,
  type ExtensionRequestInput,
  type ExtensionResponse,
} from '../../proto/agent-extensions-proto.js';
import { chaosDaemonProto } from '../../proto/chaos-daemon-proto.js';
import type { ChaosDaemonRpc, DecodedResponse, RequestInput } from '../../proto/chaos-daemon-rpcs.js';
import { FAULT_KEY_METADATA, NAMESPACED_NAME_METADATA } from '../../proto/daemon-metadata.js';
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
    // The service is typed per RPC; grpc-js's call cannot follow a generic RPC name, so it gets the untyped view.
    const service: ServiceDefinition = chaosDaemonProto().service;
    return this.#unary(rpc, service[rpc], request, options) as Promise<DecodedResponse<R>>;
  }

  /** An RPC of chaosflow's agent extensions (`proto/chaosflow-agent.proto`), which Chaos Mesh's daemon lacks. */
  callExtension<R extends AgentExtensionRpc>(
    rpc: R,
    request: ExtensionRequestInput<R>,
    options: DaemonCallOptions = {},
  ): Promise<ExtensionResponse<R>> {
    const service: ServiceDefinition = agentExtensionsProto().service;
    return this.#unary(rpc, service[rpc], request, options) as Promise<ExtensionResponse<R>>;
  }

  #unary(
    rpc: ChaosDaemonRpc | AgentExtensionRpc,
    method: ServiceDefinition[string] | undefined,
    request: unknown,
    options: DaemonCallOptions,
  ): Promise<unknown> {
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
    const deadline = Date.now() + (options.deadlineMs ?? this.#defaultDeadlineMs);
    const signal = options.signal;

    return new Promise<unknown>((resolve, reject) => {
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
      const call = this.#client.makeUnaryRequest(
        method.path,
        method.requestSerialize,
        method.responseDeserialize,
        request,
        metadata,
        { deadline },
        (err: ServiceError | null, value?: unknown) => {
          signal?.removeEventListener('abort', onAbort);
          if (err) reject(wrapCallError(err, this.endpoint, rpc, this.#unavailableHint));
          else resolve(value ?? {});
        },
      );
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }
}
