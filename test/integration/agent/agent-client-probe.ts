/**
 * A stand-alone client of the chaosflow agent that the access tests run as another user (`tsx` in a process
 * of its own). It tries what any local user could: read the client key the agent generated, call
 * ContainerKill in plaintext, and call it over TLS without a client certificate; with `--with-client-cert` it
 * also calls ContainerGetPid with the generated client certificate (what the embedded worker does). Prints one
 * JSON line (`ProbeOutput`).
 *
 * argv: <address> <agent state dir> <victim pid> [--with-client-cert]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { credentials, type ChannelCredentials, type ChannelOptions, type ServiceError } from '@grpc/grpc-js';
import { chaosDaemonProto } from '../../../proto/chaos-daemon-proto.js';

export interface CallOutcome {
  readonly code: number;
  readonly details?: string;
  readonly response?: unknown;
}

export interface ProbeOutput {
  readonly uid: number;
  /** `read`, or the errno code of reading the client key. */
  readonly keyRead: string;
  readonly plaintext: CallOutcome;
  readonly tlsWithoutCert: CallOutcome;
  readonly withClientCert?: CallOutcome;
}

const [address = '', stateDir = '', victim = '', mode] = process.argv.slice(2);
const serverName = 'chaos-daemon.chaos-mesh.org';
const nameOptions: ChannelOptions = {
  'grpc.ssl_target_name_override': serverName,
  'grpc.default_authority': serverName,
};
type Unary = (
  request: object,
  options: object,
  callback: (err: ServiceError | null, response: unknown) => void,
) => void;

function call(
  creds: ChannelCredentials,
  options: ChannelOptions,
  rpc: string,
  request: object,
): Promise<CallOutcome> {
  const { Client } = chaosDaemonProto();
  const client = new Client(address, creds, options);
  const method = (client as unknown as Record<string, Unary>)[rpc]!.bind(client);
  return new Promise((resolve) => {
    method(request, { deadline: Date.now() + 5_000 }, (err, response) => {
      client.close();
      resolve(err ? { code: err.code, details: err.details } : { code: 0, response });
    });
  });
}

const clientDir = join(stateDir, 'tls', 'client');
let keyRead: string;
try {
  readFileSync(join(clientDir, 'tls.key'));
  keyRead = 'read';
} catch (err) {
  keyRead = (err as NodeJS.ErrnoException).code ?? String(err);
}
const kill = { container_id: `pid://${victim}`, action: { action: 'KILL' } };
const output: ProbeOutput = {
  uid: process.getuid?.() ?? -1,
  keyRead,
  plaintext: await call(credentials.createInsecure(), {}, 'ContainerKill', kill),
  tlsWithoutCert: await call(
    credentials.createSsl(null, null, null, {
      rejectUnauthorized: false,
      checkServerIdentity: () => undefined,
    }),
    nameOptions,
    'ContainerKill',
    kill,
  ),
  ...(mode === '--with-client-cert'
    ? {
        withClientCert: await call(
          credentials.createSsl(
            readFileSync(join(clientDir, 'ca.crt')),
            readFileSync(join(clientDir, 'tls.key')),
            readFileSync(join(clientDir, 'tls.crt')),
          ),
          nameOptions,
          'ContainerGetPid',
          { container_id: `pid://${victim}` },
        ),
      }
    : {}),
};
process.stdout.write(`${JSON.stringify(output)}\n`);
