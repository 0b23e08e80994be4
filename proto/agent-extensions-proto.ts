/**
 * Loads `proto/chaosflow-agent.proto` (chaosflow's extensions to the Chaos Daemon API, served by the chaosflow
 * agent only) with the same loader options as the daemon contract (`chaos-daemon-proto.ts`), once per process.
 */
import { loadPackageDefinition } from '@grpc/grpc-js';
import { loadSync, type MethodDefinition } from '@grpc/proto-loader';
import { dirname, join } from 'node:path';
import { CHAOS_DAEMON_PROTO_OPTIONS, chaosDaemonProto } from './chaos-daemon-proto.js';
import type { ProtoGrpcType } from './generated/chaosflow-agent.js';
import type { AgentExtensionsDefinition } from './generated/chaosflow/ext/v1/AgentExtensions.js';

type AgentExtensionsService = ProtoGrpcType['chaosflow']['ext']['v1']['AgentExtensions'];

/** The RPCs of `chaosflow.ext.v1.AgentExtensions`. */
export const AGENT_EXTENSION_RPCS = ['SetDNSChaos', 'GetCapabilities'] as const;
export type AgentExtensionRpc = (typeof AGENT_EXTENSION_RPCS)[number];

type Part<R extends AgentExtensionRpc, I extends 0 | 3> =
  AgentExtensionsDefinition[R] extends MethodDefinition<infer A, infer B, infer C, infer D>
    ? [A, B, C, D][I]
    : never;
/** What a sender builds for an extension RPC (every field optional). */
export type ExtensionRequestInput<R extends AgentExtensionRpc> = Part<R, 0>;
/** What a receiver of its answer gets (every field present). */
export type ExtensionResponse<R extends AgentExtensionRpc> = Part<R, 3>;

export interface AgentExtensionsProto {
  readonly service: AgentExtensionsService['service'];
  readonly Client: AgentExtensionsService;
}

let cached: AgentExtensionsProto | undefined;

/** The loaded proto, found beside `chaosdaemon.proto`. */
export function agentExtensionsProto(): AgentExtensionsProto {
  if (cached) return cached;
  const path = join(dirname(chaosDaemonProto().path), 'chaosflow-agent.proto');
  const grpcObject = loadPackageDefinition(
    loadSync(path, CHAOS_DAEMON_PROTO_OPTIONS),
  ) as unknown as Partial<ProtoGrpcType>;
  const Client = grpcObject.chaosflow?.ext?.v1?.AgentExtensions;
  if (!Client) throw new Error(`${path} does not define service chaosflow.ext.v1.AgentExtensions`);
  cached = Object.freeze({ service: Client.service, Client });
  return cached;
}
