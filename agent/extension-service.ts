/**
 * The agent's implementation of `chaosflow.ext.v1.AgentExtensions` (`proto/chaosflow-agent.proto`), served
 * beside `pb.ChaosDaemon` with the same client check, request limits, per-target lock and fault key:
 * SetDNSChaos (`dns-faults.ts`) and GetCapabilities (what this host can do: netem, how loss is carried out,
 * the RPCs answered UNIMPLEMENTED and why: ApplyIOChaos among them only when chaosflow-iofs or /dev/fuse is
 * missing). A DNS fault carries a lease like the ChaosDaemon faults
 * (`lease-book.ts`: the call's `chaosflow-lease`, else the key's length, else `--lease`), started or extended
 * after the call under the target's lock; its warnings (a recovery by lease not reported yet) go back as
 * `chaosflow-warning` trailers.
 */
import {
  status,
  type Metadata,
  type ServerUnaryCall,
  type sendUnaryData,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import type { CapabilitiesInput } from '../proto/generated/chaosflow/ext/v1/Capabilities.js';
import type { DNSChaosRequest } from '../proto/generated/chaosflow/ext/v1/DNSChaosRequest.js';
import { AgentError, toServiceError } from './agent-error.js';
import { checkClient, type ClientAccess } from './client-identity.js';
import { callScope, UNIMPLEMENTED_REASONS } from './daemon-service.js';
import { DnsFaults } from './dns-faults.js';
import type { FaultContext } from './fault-context.js';
import type { KeyedLock } from './keyed-lock.js';
import type { LeaseBook } from './lease-book.js';
import { requestedLease, warningTrailer } from './lease-metadata.js';
import { checkRequestLimits } from './request-limits.js';

export async function capabilities(ctx: FaultContext): Promise<CapabilitiesInput> {
  const [netem, io] = await Promise.all([ctx.netemSupport(), ctx.ioSupport()]);
  return {
    netem: netem.available,
    netem_reason: netem.reason,
    loss_method: netem.available ? 'netem' : 'iptables-statistic',
    unimplemented: [
      ...(io.available ? [] : [{ rpc: 'ApplyIOChaos', reason: io.reason }]),
      ...Object.entries(UNIMPLEMENTED_REASONS).map(([rpc, reason]) => ({ rpc, reason })),
    ],
  };
}

export interface ExtensionHooks {
  readonly leases?: Pick<LeaseBook, 'afterCall'>;
}

export function createExtensionService(
  ctx: FaultContext,
  locks: KeyedLock,
  access: ClientAccess,
  hooks: ExtensionHooks = {},
): UntypedServiceImplementation {
  const dns = new DnsFaults(ctx);
  const reply = (
    call: ServerUnaryCall<unknown, unknown>,
    callback: sendUnaryData<unknown>,
    work: () => Promise<{ response: unknown; trailer?: Metadata }>,
  ): void => {
    const run = async (): Promise<{ response: unknown; trailer?: Metadata }> => {
      checkClient(access, call);
      checkRequestLimits(call.request);
      return work();
    };
    run().then(
      ({ response, trailer }) => callback(null, response, trailer),
      (err: unknown) => {
        if (!(err instanceof AgentError)) ctx.logger.error({ err }, 'extension rpc failed unexpectedly');
        const error = toServiceError(err);
        callback({ ...error, code: error.code ?? status.UNKNOWN });
      },
    );
  };
  return {
    SetDNSChaos: (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) =>
      reply(call, callback, () => {
        const request = call.request as DNSChaosRequest;
        const scope = callScope('SetDNSChaos', call, request.container_id, ctx.logger);
        const leaseMs = requestedLease(call, scope);
        return locks.run(`target:${request.container_id}`, async () => {
          const response = await dns.set(scope, request);
          const warnings = [
            ...(scope.warnings ?? []),
            ...((await hooks.leases?.afterCall(scope, leaseMs)) ?? []),
          ];
          return { response, trailer: warningTrailer(warnings) };
        });
      }),
    GetCapabilities: (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) =>
      reply(call, callback, async () => ({ response: await capabilities(ctx) })),
  };
}
