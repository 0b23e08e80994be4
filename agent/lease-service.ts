/**
 * The agent's `chaosflow.agent.v1.Leases` service (`proto/chaosflow-agent-leases.proto`), served beside
 * `pb.ChaosDaemon` on the same port with the same client check (`client-identity.ts`): RenewLeases extends the
 * leases of the keys a worker's run still holds, ListLeases says what is held and what a lease recovered.
 */
import {
  status,
  type ServerUnaryCall,
  type sendUnaryData,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { LeasesHandlers, LeaseStatusInput } from '../proto/agent-leases-proto.js';
import { AgentError, toServiceError } from './agent-error.js';
import { checkClient, type ClientAccess } from './client-identity.js';
import type { LeaseBook, LeaseView } from './lease-book.js';
import { describeRecovery } from './lease-book.js';
import { checkMetadataValue } from './request-validation.js';

/** The most keys one RenewLeases may name. */
export const MAX_RENEW_KEYS = 4_096;

/** Told of every served call: its RPC, gRPC status code and time (the agent's metrics). */
export type LeaseRpcObserver = (rpc: 'RenewLeases' | 'ListLeases', code: number, seconds: number) => void;

export function createLeaseService(
  book: LeaseBook,
  access: ClientAccess,
  logger: Logger,
  observe: LeaseRpcObserver = () => undefined,
): UntypedServiceImplementation {
  const handlers: Pick<LeasesHandlers, 'RenewLeases' | 'ListLeases'> = {
    RenewLeases: (call, callback) =>
      void serve('RenewLeases', call, callback, async () => {
        const keys = call.request.keys;
        if (keys.length > MAX_RENEW_KEYS) {
          throw new AgentError(
            'INVALID_ARGUMENT',
            `keys: ${keys.length} keys in one RenewLeases, at most ${MAX_RENEW_KEYS}; renew in batches`,
          );
        }
        for (const key of keys) checkMetadataValue('keys[]', key);
        return { leases: (await book.renew(keys)).map(toStatus) };
      }),
    ListLeases: (call, callback) =>
      void serve('ListLeases', call, callback, () => Promise.resolve({ leases: book.list().map(toStatus) })),
  };

  async function serve<Q, A>(
    rpc: 'RenewLeases' | 'ListLeases',
    call: ServerUnaryCall<Q, A>,
    callback: sendUnaryData<A>,
    work: () => Promise<A>,
  ): Promise<void> {
    const started = performance.now();
    const log = logger.child({ rpc, peer: call.getPeer() });
    try {
      checkClient(access, call);
      const response = await work();
      log.debug({ ms: Math.round(performance.now() - started), status: 'OK' }, 'rpc');
      observe(rpc, status.OK, (performance.now() - started) / 1000);
      callback(null, response);
    } catch (err) {
      const serviceError = toServiceError(err);
      if (err instanceof AgentError) log.warn({ status: err.code, reason: err.message }, 'rpc');
      else log.error({ err }, 'rpc failed unexpectedly');
      observe(rpc, serviceError.code ?? status.UNKNOWN, (performance.now() - started) / 1000);
      callback(serviceError);
    }
  }

  return handlers;
}

function toStatus(view: LeaseView): LeaseStatusInput {
  switch (view.state) {
    case 'HELD':
      return {
        key: view.key,
        state: 'HELD',
        lease_ms: view.lease.leaseMs,
        expires_at: view.lease.expiresAt,
        renewed_at: view.lease.renewedAt,
      };
    case 'RECOVERED':
      return {
        key: view.key,
        state: 'RECOVERED',
        lease_ms: view.recovery.leaseMs,
        expires_at: view.recovery.expiredAt,
        renewed_at: view.recovery.lastRenewedAt,
        recovered_at: view.recovery.recoveredAt,
        message: view.recovery.error
          ? `lease expired; recovering failed so far: ${view.recovery.error}`
          : describeRecovery(view.recovery),
      };
    case 'NOT_HELD':
      return { key: view.key, state: 'NOT_HELD' };
  }
}
