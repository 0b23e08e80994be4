/**
 * The RPCs of `pb.ChaosDaemon` and their message types, derived from the generated service definition
 * (`generated/pb/ChaosDaemon.ts`): nothing here restates a message. A sender builds `RequestInput<R>` (every field
 * optional, as proto3 allows); a receiver gets `DecodedRequest<R>` (every field present: the loader's
 * `defaults: true`, as in Go). Likewise `ResponseInput<R>` and `DecodedResponse<R>`.
 */
import type { MethodDefinition } from '@grpc/proto-loader';
import type { ChaosDaemonDefinition } from './generated/pb/ChaosDaemon.js';

/** The definition without grpc-js's string index signature: exactly the service's RPCs. */
type KnownMethods<T> = { [K in keyof T as string extends K ? never : K]: T[K] };
type Methods = KnownMethods<ChaosDaemonDefinition>;

export type ChaosDaemonRpc = keyof Methods;

type Part<R extends ChaosDaemonRpc, I extends 0 | 1 | 2 | 3> =
  Methods[R] extends MethodDefinition<infer A, infer B, infer C, infer D> ? [A, B, C, D][I] : never;

export type RequestInput<R extends ChaosDaemonRpc> = Part<R, 0>;
export type ResponseInput<R extends ChaosDaemonRpc> = Part<R, 1>;
export type DecodedRequest<R extends ChaosDaemonRpc> = Part<R, 2>;
export type DecodedResponse<R extends ChaosDaemonRpc> = Part<R, 3>;

/**
 * The RPC names in proto order: a value list for exhaustive handler maps and tests. The type checks it names
 * only RPCs of the service, and `chaosdaemon-proto.test.ts` that it names all of them.
 */
export const CHAOS_DAEMON_RPCS = [
  'SetTcs',
  'FlushIPSets',
  'SetIptablesChains',
  'SetTimeOffset',
  'RecoverTimeOffset',
  'ContainerKill',
  'ContainerGetPid',
  'ExecStressors',
  'CancelStressors',
  'ApplyIOChaos',
  'ApplyHttpChaos',
  'SetDNSServer',
  'InstallJVMRules',
  'UninstallJVMRules',
  'ApplyBlockChaos',
  'RecoverBlockChaos',
] as const satisfies readonly ChaosDaemonRpc[];

/** Fails to compile when the list above misses an RPC of the service. */
type Missing = Exclude<ChaosDaemonRpc, (typeof CHAOS_DAEMON_RPCS)[number]>;
const everyRpcListed: [Missing] extends [never] ? true : Missing = true;
void everyRpcListed;
