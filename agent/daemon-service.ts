/**
 * The agent's implementation of `pb.ChaosDaemon`: one handler per RPC (checked exhaustive), each run under
 * the lock of its target, with the call's fault key and a child logger. RPCs a host process cannot support
 * answer UNIMPLEMENTED with the reason.
 */
import {
  status,
  type ServerUnaryCall,
  type sendUnaryData,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import type { Logger } from 'pino';
import {
  CHAOS_DAEMON_RPCS,
  type ChaosDaemonRpc,
  type DecodedRequest,
  type ResponseInput,
} from '../proto/chaos-daemon-rpcs.js';
import { FAULT_KEY_METADATA, NAMESPACED_NAME_METADATA } from '../proto/daemon-metadata.js';
import { AgentError, toServiceError } from './agent-error.js';
import { checkClient, type ClientAccess } from './client-identity.js';
import { checkRequestLimits } from './request-limits.js';
import type { CallScope, FaultContext } from './fault-context.js';
import { HttpFaults } from './http-faults.js';
import { IoFaults } from './io-faults.js';
import type { KeyedLock } from './keyed-lock.js';
import type { LeaseBook } from './lease-book.js';
import type { NetworkBaselines } from './network-baselines.js';
import type { CgroupBaselines } from './cgroup-baselines.js';
import type { Journal } from './journal.js';
import { resolveHostTarget } from './host-target.js';
import type { NetnsId } from './process-info.js';
import { errorMessage } from '../common/errors/chaosflow-error.js';
import { requestedLease, warningTrailer } from './lease-metadata.js';
import { NetworkFaults } from './network-faults.js';
import { ProcessFaults } from './process-faults.js';
import { checkMetadataValue } from './request-validation.js';
import { StressFaults } from './stress-faults.js';

type Handler<R extends ChaosDaemonRpc> = (
  scope: CallScope,
  request: DecodedRequest<R>,
) => Promise<ResponseInput<R>>;
type Handlers = { readonly [R in ChaosDaemonRpc]: Handler<R> };

/** Why each RPC the agent does not implement cannot work for a host process. */
export const UNIMPLEMENTED_REASONS = {
  SetTimeOffset:
    "TimeChaos needs Chaos Mesh's watchmaker, which rewrites the vDSO of the target through ptrace; the " +
    'chaosflow agent does not ship it, so time faults are not available for host processes',
  RecoverTimeOffset: 'TimeChaos is not available for host processes (see SetTimeOffset)',
  SetDNSServer:
    "SetDNSServer points the container's resolv.conf at Chaos Mesh's chaos-dns-server; host processes share the " +
    "host's resolv.conf, so for them the chaosflow agent answers DNS itself: chaosflow.ext.v1.AgentExtensions/" +
    'SetDNSChaos',
  InstallJVMRules: 'JVMChaos needs Byteman attached to a JVM; not available in the chaosflow agent',
  UninstallJVMRules: 'JVMChaos is not available in the chaosflow agent (see InstallJVMRules)',
  ApplyBlockChaos:
    "BlockChaos needs Chaos Mesh's chaos-driver kernel module (ioem); not available in the chaosflow agent",
  RecoverBlockChaos: 'BlockChaos is not available in the chaosflow agent (see ApplyBlockChaos)',
} as const satisfies Partial<Record<ChaosDaemonRpc, string>>;

function unimplemented(rpc: keyof typeof UNIMPLEMENTED_REASONS): () => Promise<never> {
  return () => Promise.reject(new AgentError('UNIMPLEMENTED', UNIMPLEMENTED_REASONS[rpc], { rpc }));
}

/** The target a request is about, used as its lock key and (with the RPC) as its default fault key. */
function targetOf(rpc: ChaosDaemonRpc, request: Record<string, unknown>): string {
  const text = (name: string): string => (typeof request[name] === 'string' ? request[name] : '');
  if (rpc === 'ExecStressors') return text('target');
  if (rpc === 'CancelStressors')
    return `stress:${text('cpuInstance') || text('memoryInstance') || text('cpuInstanceUid')}`;
  return text('container_id');
}

/** Told of every served call: its RPC, gRPC status code and time (the agent's metrics). */
export type RpcObserver = (rpc: ChaosDaemonRpc, code: number, seconds: number) => void;

/**
 * What happens around every call, under its target's lock: leases (`lease-book.ts`) after a call that
 * succeeded, and the network baseline before and the drift check after (`network-baselines.ts`). Their warnings
 * go back as `chaosflow-warning` trailers.
 */
export interface CallHooks {
  readonly leases?: Pick<LeaseBook, 'afterCall'>;
  readonly baselines?: Pick<NetworkBaselines, 'beforeInject' | 'afterCall'>;
  readonly cgroups?: Pick<CgroupBaselines, 'beforeStress' | 'afterCall'>;
  /** Where a CancelStressors' target is found. */
  readonly journal?: Pick<Journal, 'get' | 'entries'>;
}

const NETWORK_LISTS = { FlushIPSets: 'ipsets', SetIptablesChains: 'chains', SetTcs: 'tcs' } as const;

export function createDaemonService(
  ctx: FaultContext,
  locks: KeyedLock,
  access: ClientAccess,
  observe: RpcObserver = () => undefined,
  hooks: CallHooks = {},
): UntypedServiceImplementation {
  const network = new NetworkFaults(ctx);
  const stress = new StressFaults(ctx);
  const processes = new ProcessFaults(ctx);
  const http = new HttpFaults(ctx);
  const io = new IoFaults(ctx);
  const empty = async (work: Promise<void>): Promise<Record<string, never>> => {
    await work;
    return {};
  };
  const handlers: Handlers = {
    SetTcs: (scope, request) => empty(network.setTcs(scope, request)),
    FlushIPSets: (scope, request) => empty(network.flushIpsets(scope, request)),
    SetIptablesChains: (scope, request) => empty(network.setIptablesChains(scope, request)),
    ContainerKill: (scope, request) => empty(processes.kill(scope, request)),
    ContainerGetPid: (scope, request) => processes.getPid(scope, request),
    ExecStressors: (scope, request) => stress.exec(scope, request),
    CancelStressors: (scope, request) => empty(stress.cancel(scope, request)),
    SetTimeOffset: unimplemented('SetTimeOffset'),
    RecoverTimeOffset: unimplemented('RecoverTimeOffset'),
    ApplyIOChaos: (scope, request) => io.apply(scope, request),
    ApplyHttpChaos: (scope, request) => http.apply(scope, request),
    SetDNSServer: unimplemented('SetDNSServer'),
    InstallJVMRules: unimplemented('InstallJVMRules'),
    UninstallJVMRules: unimplemented('UninstallJVMRules'),
    ApplyBlockChaos: unimplemented('ApplyBlockChaos'),
    RecoverBlockChaos: unimplemented('RecoverBlockChaos'),
  };

  const implementation: UntypedServiceImplementation = {};
  for (const rpc of CHAOS_DAEMON_RPCS) {
    implementation[rpc] = (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
      void serve(rpc, handlers[rpc], call, callback, ctx.logger, locks, access, observe, hooks);
    };
  }
  return implementation;
}

async function serve(
  rpc: ChaosDaemonRpc,
  handler: Handler<ChaosDaemonRpc>,
  call: ServerUnaryCall<unknown, unknown>,
  callback: sendUnaryData<unknown>,
  logger: Logger,
  locks: KeyedLock,
  access: ClientAccess,
  observe: RpcObserver,
  hooks: CallHooks,
): Promise<void> {
  const started = performance.now();
  const request = call.request as Record<string, unknown>;
  let log = logger.child({ rpc, peer: call.getPeer() });
  try {
    checkClient(access, call);
    checkRequestLimits(request);
    const target = targetOf(rpc, request);
    const scope = callScope(rpc, call, target, logger);
    log = scope.logger;
    const leaseMs = requestedLease(call, scope);
    const { response, warnings } = await locks.run(`target:${target}`, async () => {
      const network = await networkOf(rpc, request, hooks, scope);
      const stressed = await stressTargetOf(rpc, request, hooks, scope);
      const answer = await handler(scope, request as never);
      const found: string[] = [
        ...(scope.warnings ?? []),
        ...((await hooks.leases?.afterCall(scope, leaseMs)) ?? []),
      ];
      if (stressed && hooks.cgroups) {
        const drift = await hooks.cgroups
          .afterCall(stressed)
          .catch((err: unknown) => `the drift check after this call failed: ${errorMessage(err)}`);
        if (drift) found.push(drift);
      }
      if (network && hooks.baselines) {
        const drift = await hooks.baselines
          .afterCall(network.netns, network.path)
          .catch((err: unknown) => `the drift check after this call failed: ${errorMessage(err)}`);
        if (drift) found.push(drift);
      }
      return { response: answer, warnings: found };
    });
    log.info(
      { ms: Math.round(performance.now() - started), status: 'OK', ...(warnings.length ? { warnings } : {}) },
      'rpc',
    );
    observe(rpc, status.OK, (performance.now() - started) / 1000);
    callback(null, response, warningTrailer(warnings));
  } catch (err) {
    const serviceError = toServiceError(err);
    if (err instanceof AgentError) {
      log.warn({ ms: Math.round(performance.now() - started), status: err.code, reason: err.message }, 'rpc');
    } else {
      log.error({ ms: Math.round(performance.now() - started), err }, 'rpc failed unexpectedly');
    }
    observe(rpc, serviceError.code ?? status.UNKNOWN, (performance.now() - started) / 1000);
    callback(serviceError);
  }
}

/** The call's scope: its fault key (metadata, or `<target>#<rpc>`), namespaced name and child logger. */
export function callScope(
  rpc: CallScope['rpc'],
  call: ServerUnaryCall<unknown, unknown>,
  target: string,
  logger: Logger,
): CallScope {
  const first = (name: string): string | undefined => {
    const value = call.metadata.get(name)[0];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const faultKey = first(FAULT_KEY_METADATA);
  const namespacedName = first(NAMESPACED_NAME_METADATA);
  if (faultKey !== undefined) checkMetadataValue(FAULT_KEY_METADATA, faultKey);
  if (namespacedName !== undefined) checkMetadataValue(NAMESPACED_NAME_METADATA, namespacedName);
  const key = faultKey ?? `${target}#${rpc}`;
  return {
    rpc,
    key,
    keySource: faultKey ? 'metadata' : 'derived',
    namespacedName,
    logger: logger.child({ rpc, key, ...(namespacedName ? { namespacedName } : {}) }),
    warnings: [],
  };
}

/**
 * For a network RPC whose target runs: its namespace, after recording the baseline when the call injects into a
 * namespace the agent holds nothing in yet. A target that is gone has no namespace to compare.
 */
async function networkOf(
  rpc: ChaosDaemonRpc,
  request: Record<string, unknown>,
  hooks: CallHooks,
  scope: CallScope,
): Promise<{ netns: NetnsId; path: string } | undefined> {
  if (!hooks.baselines || !(rpc in NETWORK_LISTS)) return undefined;
  const list = request[NETWORK_LISTS[rpc as keyof typeof NETWORK_LISTS]];
  const target = await resolveHostTarget(String(request['container_id'])).catch(() => undefined);
  if (!target) return undefined;
  if (Array.isArray(list) && list.length > 0) {
    await hooks.baselines.beforeInject(target.netns, target.netnsPath, scope.key);
  }
  return { netns: target.netns, path: target.netnsPath };
}

/**
 * For a stress RPC: the container id of its target, after recording the cgroup baseline before a first
 * ExecStressors. CancelStressors names only the instance; its target is the journal's.
 */
async function stressTargetOf(
  rpc: ChaosDaemonRpc,
  request: Record<string, unknown>,
  hooks: CallHooks,
  scope: CallScope,
): Promise<string | undefined> {
  if (!hooks.cgroups || !hooks.journal) return undefined;
  if (rpc === 'ExecStressors') {
    const target = await resolveHostTarget(String(request['target'])).catch(() => undefined);
    if (target) await hooks.cgroups.beforeStress(target.containerId, target.pid);
    return target?.containerId;
  }
  if (rpc !== 'CancelStressors') return undefined;
  const instances = [request['cpuInstance'], request['memoryInstance']].filter(
    (v) => v !== '' && v !== undefined,
  );
  return (
    hooks.journal.get(scope.key)?.target.containerId ??
    hooks.journal.entries().find((e) => (e.stressors ?? []).some((i) => instances.includes(String(i.pid))))
      ?.target.containerId
  );
}
