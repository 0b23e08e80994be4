/**
 * Loads `proto/chaosflow-agent-leases.proto` (service `chaosflow.agent.v1.Leases`, chaosflow's extension of its
 * agent) with the same loader options as the daemon contract, once per process. Both the worker's lease client
 * and the agent use it. The RPC names and their message types are derived from the generated definition.
 */
import { join } from 'node:path';
import { loadPackageDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { CHAOS_DAEMON_PROTO_OPTIONS, findProtoFile } from './chaos-daemon-proto.js';
import type { ProtoGrpcType } from './generated/chaosflow-agent-leases.js';
import type { MessageTypeDefinition, MethodDefinition } from '@grpc/proto-loader';
import type { handleUnaryCall } from '@grpc/grpc-js';

type V1 = ProtoGrpcType['chaosflow']['agent']['v1'];
type Encoded<M> = M extends MessageTypeDefinition<infer I, infer _O> ? I : never;
type Decoded<M> = M extends MessageTypeDefinition<infer _I, infer O> ? O : never;

/** One lease as a receiver decodes it (every field present) and as a sender builds it. */
export type LeaseStatus = Decoded<V1['LeaseStatus']>;
export type LeaseStatusInput = Encoded<V1['LeaseStatus']>;
export type RenewLeasesResponse = Decoded<V1['RenewLeasesResponse']>;
export type ListLeasesResponse = Decoded<V1['ListLeasesResponse']>;

type Definition = V1['Leases']['service'];
/** The server's handlers, typed by the generated definition. */
export type LeasesHandlers = {
  [R in AgentLeaseRpc]: Definition[R] extends MethodDefinition<infer _A, infer B, infer C, infer _D>
    ? handleUnaryCall<C, B>
    : never;
};

type LeasesService = ProtoGrpcType['chaosflow']['agent']['v1']['Leases'];

export interface AgentLeasesProto {
  readonly path: string;
  /** The service definition a grpc-js `Server.addService` takes. */
  readonly service: LeasesService['service'];
}

/** The service's full name, as it travels in every RPC path (`/chaosflow.agent.v1.Leases/RenewLeases`). */
export const LEASES_SERVICE_NAME = 'chaosflow.agent.v1.Leases';

/** The service's RPCs. */
export type AgentLeaseRpc = 'RenewLeases' | 'ListLeases';

let cached: AgentLeasesProto | undefined;

export function agentLeasesProto(): AgentLeasesProto {
  if (cached) return cached;
  const path = findProtoFile(join('proto', 'chaosflow-agent-leases.proto'));
  const grpcObject = loadPackageDefinition(
    loadSync(path, CHAOS_DAEMON_PROTO_OPTIONS),
  ) as unknown as Partial<ProtoGrpcType>;
  const Leases = grpcObject.chaosflow?.agent?.v1?.Leases;
  if (!Leases) throw new Error(`${path} does not define service ${LEASES_SERVICE_NAME}`);
  cached = Object.freeze({ path, service: Leases.service });
  return cached;
}
