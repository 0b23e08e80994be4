/**
 * The lease and warning metadata of a call, the same for `pb.ChaosDaemon` (`daemon-service.ts`) and the
 * extensions (`extension-service.ts`): the `chaosflow-lease` a call asks for, and the `chaosflow-warning`
 * trailers it answers with.
 */
import { Metadata, type ServerUnaryCall } from '@grpc/grpc-js';
import { FAULT_KEY_METADATA, LEASE_METADATA, WARNING_METADATA } from '../proto/daemon-metadata.js';
import { AgentError } from './agent-error.js';
import type { CallScope } from './fault-context.js';
import { parseLeaseDuration } from './lease-duration.js';

/** The call's `chaosflow-lease` in ms, if it has one; INVALID_ARGUMENT when it is bad or has no fault key. */
export function requestedLease(
  call: ServerUnaryCall<unknown, unknown>,
  scope: CallScope,
): number | undefined {
  const value = call.metadata.get(LEASE_METADATA)[0];
  if (value === undefined) return undefined;
  const text = typeof value === 'string' ? value : value.toString('utf8');
  if (scope.keySource !== 'metadata') {
    throw new AgentError(
      'INVALID_ARGUMENT',
      `metadata ${LEASE_METADATA}: a lease is kept per fault key, so it needs the ${FAULT_KEY_METADATA} metadata too`,
      { field: LEASE_METADATA },
    );
  }
  const ms = parseLeaseDuration(text);
  if (typeof ms === 'string') {
    throw new AgentError('INVALID_ARGUMENT', `metadata ${LEASE_METADATA}: ${ms}`, { field: LEASE_METADATA });
  }
  return ms;
}

/** The trailer that carries `warnings` to the caller, one `chaosflow-warning` each (ASCII only). */
export function warningTrailer(warnings: readonly string[]): Metadata {
  const trailer = new Metadata();
  for (const warning of warnings) trailer.add(WARNING_METADATA, asciiOnly(warning));
  return trailer;
}

function asciiOnly(text: string): string {
  return text.replace(/[^\x20-\x7e]/gu, '?');
}
