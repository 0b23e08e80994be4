/**
 * Errors of the chaosflow agent. An `AgentError` is answered to the caller as the gRPC status it names, with
 * its message as the status details; the message says what is wrong and with which request field. Anything
 * else that escapes a handler is a bug and is answered as INTERNAL.
 */
import { Metadata, status, type ServiceError } from '@grpc/grpc-js';

/** The gRPC statuses the agent answers with (a stable `code`, as seen by callers). */
export type AgentStatus =
  'INVALID_ARGUMENT' | 'NOT_FOUND' | 'FAILED_PRECONDITION' | 'UNIMPLEMENTED' | 'UNAVAILABLE' | 'INTERNAL';

export class AgentError extends Error {
  override readonly name = 'AgentError';
  constructor(
    readonly code: AgentStatus,
    message: string,
    readonly context: Readonly<Record<string, unknown>> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** An external command (iptables, ipset, tc, nsenter, stress-ng) failed. */
export class CommandFailedError extends AgentError {
  constructor(
    readonly argv: readonly string[],
    readonly exitCode: number | null,
    readonly stderr: string,
    options?: { cause?: unknown },
  ) {
    super(
      'INTERNAL',
      `${argv.join(' ')} failed (exit ${exitCode ?? 'signal'}): ${stderr.trim() || 'no output'}`,
      { argv, exitCode },
      options,
    );
  }
}

/** A bad flag or environment value; `chaosflow agent` prints it and exits with a usage error. */
export class AgentConfigError extends Error {
  override readonly name = 'AgentConfigError';
  readonly code = 'AGENT_CONFIG_INVALID';
}

/** The gRPC error a handler answers with. */
export function toServiceError(err: unknown): Partial<ServiceError> {
  if (err instanceof AgentError) {
    return { code: status[err.code], details: err.message, metadata: new Metadata() };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { code: status.INTERNAL, details: `internal error in the chaosflow agent: ${message}` };
}
