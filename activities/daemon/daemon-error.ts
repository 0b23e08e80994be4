/**
 * The one error type of the daemon client. Every failed call is wrapped into a `DaemonError` that names the
 * gRPC status, the endpoint, the RPC and the server's own message, and says whether retrying can help, so the
 * activity classifier can set `nonRetryable` deliberately.
 */
import type { ServiceError } from '@grpc/grpc-js';
import { ChaosflowError, errorMessage } from '../../common/errors/chaosflow-error.js';
import type { AgentExtensionRpc } from '../../proto/agent-extensions-proto.js';
import type { AgentLeaseRpc } from '../../proto/agent-leases-proto.js';
import type { ChaosDaemonRpc } from '../../proto/chaos-daemon-rpcs.js';
import { statusName, type GrpcStatusName } from '../../proto/grpc-status.js';

/**
 * Whether a call that failed with each status may succeed when repeated. The transient ones are retryable;
 * answers about the request itself are not. UNKNOWN and INTERNAL are retryable because Chaos Mesh's daemon
 * reports failed commands (iptables lock contention, a container restarting) that way and its own controller
 * retries them; CANCELLED is retryable because it means our side gave up, not that the daemon refused.
 */
export const RETRYABLE_STATUS: Readonly<Record<GrpcStatusName, boolean>> = Object.freeze({
  OK: false,
  CANCELLED: true,
  UNKNOWN: true,
  INVALID_ARGUMENT: false,
  DEADLINE_EXCEEDED: true,
  NOT_FOUND: false,
  ALREADY_EXISTS: false,
  PERMISSION_DENIED: false,
  RESOURCE_EXHAUSTED: true,
  FAILED_PRECONDITION: false,
  ABORTED: true,
  OUT_OF_RANGE: false,
  UNIMPLEMENTED: false,
  INTERNAL: true,
  UNAVAILABLE: true,
  DATA_LOSS: false,
  UNAUTHENTICATED: false,
});

export const DAEMON_ERROR_CODES = [
  /** The RPC reached (or tried to reach) the daemon and failed; see `status`. */
  'DAEMON_CALL_FAILED',
  /** The endpoint's TLS settings are missing or unreadable; nothing was sent. */
  'DAEMON_TLS_INVALID',
] as const;
export type DaemonErrorCode = (typeof DAEMON_ERROR_CODES)[number];

export interface DaemonErrorContext {
  /** `host:port` of the daemon. */
  readonly endpoint: string;
  /** The RPC, absent for configuration errors that happen before any call. */
  readonly rpc?: ChaosDaemonRpc | AgentLeaseRpc | AgentExtensionRpc;
  /** The gRPC status name. */
  readonly status: GrpcStatusName;
  /** The server's message (grpc `details`), or the local reason. */
  readonly serverMessage: string;
}

export class DaemonError extends ChaosflowError<DaemonErrorCode, DaemonErrorContext> {
  static override readonly codes: readonly string[] = DAEMON_ERROR_CODES;
  override readonly name = 'DaemonError';
  readonly retryable: boolean;

  constructor(code: DaemonErrorCode, context: DaemonErrorContext, options?: { cause?: unknown }) {
    const where = context.rpc ? `${context.rpc} on ${context.endpoint}` : context.endpoint;
    super(
      code,
      `chaos daemon ${where} failed with ${context.status}: ${context.serverMessage}`,
      context,
      options,
    );
    this.retryable = code === 'DAEMON_CALL_FAILED' && RETRYABLE_STATUS[context.status];
  }
}

function isServiceError(err: unknown): err is ServiceError {
  return err instanceof Error && typeof (err as Partial<ServiceError>).code === 'number';
}

/**
 * How grpc-js reports a connection the server closed at once (a plaintext client at a TLS port): not a refused
 * or unreachable address, where the transport is not the problem.
 */
const DROPPED = /connection dropped|protocol error|failed to connect|no connection established/i;
const UNREACHABLE = /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|EAI_AGAIN/;

/**
 * Wraps whatever a grpc-js call rejected with; `unavailableHint` is added when the server dropped the
 * connection (not when nothing listens, nor to an UNAVAILABLE the server answered itself).
 */
export function wrapCallError(
  err: unknown,
  endpoint: string,
  rpc: ChaosDaemonRpc | AgentLeaseRpc | AgentExtensionRpc,
  unavailableHint?: string,
): DaemonError {
  if (err instanceof DaemonError) return err;
  if (isServiceError(err)) {
    const status = statusName(err.code);
    const message = err.details || err.message;
    return new DaemonError(
      'DAEMON_CALL_FAILED',
      {
        endpoint,
        rpc,
        status,
        serverMessage:
          status === 'UNAVAILABLE' && unavailableHint && DROPPED.test(message) && !UNREACHABLE.test(message)
            ? `${message} (${unavailableHint})`
            : message,
      },
      { cause: err },
    );
  }
  return new DaemonError(
    'DAEMON_CALL_FAILED',
    { endpoint, rpc, status: 'UNKNOWN', serverMessage: errorMessage(err) },
    { cause: err },
  );
}
