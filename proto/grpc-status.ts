/**
 * gRPC status names, as the daemon answers them and as the chaosflow agent sends them (the wire carries the
 * number; chaosflow speaks of the name).
 */
import { status as grpcStatus } from '@grpc/grpc-js';

/** The names of grpc-js's `status` enum: `'NOT_FOUND'`, `'UNAVAILABLE'` ... */
export type GrpcStatusName = keyof typeof grpcStatus;

const STATUS_NAMES: ReadonlyMap<number, GrpcStatusName> = new Map(
  Object.entries(grpcStatus)
    .filter((entry): entry is [GrpcStatusName, number] => typeof entry[1] === 'number')
    .map(([name, value]) => [value, name]),
);

/** The status name of a gRPC numeric code; unknown numbers count as UNKNOWN. */
export function statusName(code: number): GrpcStatusName {
  return STATUS_NAMES.get(code) ?? 'UNKNOWN';
}
