/**
 * The agent's gRPC server. With mutual TLS (the default) it requires and verifies client certificates signed
 * by the CA and accepts TLS 1.3 only, like Chaos Mesh's daemon (`RequireAndVerifyClientCert`, TLS >= 1.3);
 * grpc-js's `createSsl` cannot set a minimum version, hence the small credentials subclass. Which of the
 * verified clients it obeys is checked per call (`client-identity.ts`). Plaintext only when config.ts allowed
 * it (an explicit flag, a loopback address). A request larger than `MAX_REQUEST_BYTES` is refused by grpc-js
 * (RESOURCE_EXHAUSTED) before it is decoded.
 */
import { errorMessage } from '../common/errors/chaosflow-error.js';
import { readFile } from 'node:fs/promises';
import {
  Server,
  ServerCredentials,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { chaosDaemonProto } from '../proto/chaos-daemon-proto.js';
import { AgentConfigError } from './agent-error.js';
import type { AgentTransport } from './config.js';

/** The largest request the agent decodes (every list and string in it is bounded again: `request-limits.ts`). */
export const MAX_REQUEST_BYTES = 1024 * 1024;

class MutualTls13Credentials extends ServerCredentials {
  constructor(ca: Buffer, cert: Buffer, key: Buffer) {
    super(
      { requestCert: true, rejectUnauthorized: true, minVersion: 'TLSv1.3' },
      { ca: [ca], cert: [cert], key: [key] },
    );
  }

  override _equals(other: ServerCredentials): boolean {
    return other === this;
  }
}

export async function serverCredentials(transport: AgentTransport): Promise<ServerCredentials> {
  if (transport.kind === 'plaintext') return ServerCredentials.createInsecure();
  const tls = transport.files;
  const read = async (label: string, path: string): Promise<Buffer> => {
    try {
      return await readFile(path);
    } catch (err) {
      throw new AgentConfigError(`cannot read the ${label} ${path}: ${errorMessage(err)}`);
    }
  };
  const [ca, cert, key] = await Promise.all([
    read('CA certificate (--ca)', tls.caFile),
    read('certificate (--cert)', tls.certFile),
    read('key (--key)', tls.keyFile),
  ]);
  return new MutualTls13Credentials(ca, cert, key);
}

export interface AgentServer {
  /** `host:port` actually bound (the port is resolved when 0 was asked for). */
  readonly address: string;
  readonly port: number;
  /** Stops accepting calls and waits for those in flight (at most `graceMs`, then cancels them). */
  shutdown(graceMs?: number): Promise<void>;
}

export async function startAgentServer(
  listen: { host: string; port: number },
  credentials: ServerCredentials,
  implementation: UntypedServiceImplementation,
  /** chaosflow's extension services, served beside `pb.ChaosDaemon` (the lease service). */
  extensions: readonly { definition: ServiceDefinition; implementation: UntypedServiceImplementation }[] = [],
): Promise<AgentServer> {
  const server = new Server({
    'grpc.max_receive_message_length': MAX_REQUEST_BYTES,
    'grpc.max_send_message_length': MAX_REQUEST_BYTES,
  });
  server.addService(chaosDaemonProto().service, implementation);
  for (const extension of extensions) server.addService(extension.definition, extension.implementation);
  const host = listen.host.includes(':') ? `[${listen.host}]` : listen.host;
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:${listen.port}`, credentials, (err, bound) =>
      err
        ? reject(new AgentConfigError(`cannot listen on ${host}:${listen.port}: ${err.message}`))
        : resolve(bound),
    ),
  );
  return {
    address: `${host}:${port}`,
    port,
    // Resolves on the forced shutdown too, without waiting for tryShutdown's callback: a `--recover-on-exit`
    // agent recovers after this resolves, and that must not hang on how grpc-js reports sessions it destroyed.
    shutdown: (graceMs = 10_000) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, graceMs);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
  };
}
