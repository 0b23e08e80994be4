/**
 * Errors of the chaosflow agent. An `AgentError` is answered to the caller as the gRPC status it names, with
 * its message as the status details; the message says what is wrong and with which request field. Anything
 * else that escapes a handler is a bug and is answered as INTERNAL.
 */
import { Metadata, status, type ServiceError } from '@grpc/grpc-js';
import { ChaosflowError, errorMessage } from '../common/errors/chaosflow-error.js';

/** The gRPC statuses the agent answers with (a stable `code`, as seen by callers). */
export const AGENT_STATUSES = [
  'INVALID_ARGUMENT',
  'NOT_FOUND',
  'FAILED_PRECONDITION',
  'UNIMPLEMENTED',
  'UNAVAILABLE',
  'UNAUTHENTICATED',
  'PERMISSION_DENIED',
  'INTERNAL',
] as const;
export type AgentStatus = (typeof AGENT_STATUSES)[number];

export class AgentError extends ChaosflowError<AgentStatus> {
  static override readonly codes: readonly string[] = AGENT_STATUSES;
  override readonly name: string = 'AgentError';
  constructor(
    code: AgentStatus,
    message: string,
    context: Readonly<Record<string, unknown>> = {},
    options?: { cause?: unknown },
  ) {
    super(code, message, context, options);
  }
}

/** An external command (iptables, ipset, tc, nsenter, stress-ng) failed. */
export class CommandFailedError extends AgentError {
  override readonly name = 'CommandFailedError';
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
export class AgentConfigError extends ChaosflowError<'AGENT_CONFIG_INVALID', { readonly setting?: string }> {
  static override readonly codes: readonly string[] = ['AGENT_CONFIG_INVALID'];
  override readonly name = 'AgentConfigError';
  constructor(message: string, context: { readonly setting?: string } = {}) {
    super('AGENT_CONFIG_INVALID', message, context);
  }
}

/** The gRPC error a handler answers with. */
export function toServiceError(err: unknown): Partial<ServiceError> {
  if (err instanceof AgentError) {
    return { code: status[err.code], details: err.message, metadata: new Metadata() };
  }
  return { code: status.INTERNAL, details: `internal error in the chaosflow agent: ${errorMessage(err)}` };
}
