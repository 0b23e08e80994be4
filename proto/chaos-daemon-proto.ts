/**
 * Loads `proto/chaosdaemon.proto` with @grpc/proto-loader, once per process. Options (the wire shapes the
 * generated types in `generated/` describe; `scripts/gen/gen-proto.ts` passes the same ones to the generator):
 * `keepCase` (field names as in the proto), `longs: String` (64-bit integers as decimal strings: uint64 values
 * do not fit a JS number), `enums: String`, `defaults: true` (absent fields decode to their zero value, as in
 * Go). Both the client and the chaosflow agent use it.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadPackageDefinition } from '@grpc/grpc-js';
import { loadSync, type Options, type PackageDefinition } from '@grpc/proto-loader';
import type { ProtoGrpcType } from './generated/chaosdaemon.js';

export const CHAOS_DAEMON_PROTO_OPTIONS: Readonly<Options> = Object.freeze({
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
});

const PROTO_RELATIVE_PATH = join('proto', 'chaosdaemon.proto');

export interface ChaosDaemonProto {
  /** The absolute path of the .proto file that was loaded. */
  readonly path: string;
  readonly packageDefinition: PackageDefinition;
  /** The service definition a grpc-js `Server.addService` takes. */
  readonly service: ChaosDaemonService['service'];
  /** The client constructor of `pb.ChaosDaemon`. */
  readonly Client: ChaosDaemonService;
}

type ChaosDaemonService = ProtoGrpcType['pb']['ChaosDaemon'];

let cached: ChaosDaemonProto | undefined;

/** The loaded proto; `protoPath` overrides where the file is (default: found upward from this module). */
export function chaosDaemonProto(protoPath?: string): ChaosDaemonProto {
  if (cached && (protoPath === undefined || protoPath === cached.path)) return cached;
  const path = protoPath ?? findProtoFile(PROTO_RELATIVE_PATH);
  const packageDefinition = loadSync(path, CHAOS_DAEMON_PROTO_OPTIONS);
  // The generated types describe what the loader builds from this file with these options.
  const grpcObject = loadPackageDefinition(packageDefinition) as unknown as Partial<ProtoGrpcType>;
  const Client = grpcObject.pb?.ChaosDaemon;
  if (!Client) throw new Error(`${path} does not define service pb.ChaosDaemon`);
  const loaded: ChaosDaemonProto = Object.freeze({
    path,
    packageDefinition,
    service: Client.service,
    Client,
  });
  cached = loaded;
  return loaded;
}

/**
 * Walks up from this module to the folder holding `relativePath` (such as `proto/chaosdaemon.proto`): the
 * repository root both when running from source (`proto/`) and when compiled (`dist/proto/`).
 */
export function findProtoFile(relativePath: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, relativePath);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) {
      throw new Error(
        `cannot find ${relativePath} above ${fileURLToPath(import.meta.url)}; ` +
          'run chaosflow from its installation folder, which ships the proto/ folder',
      );
    }
    dir = parent;
  }
}
