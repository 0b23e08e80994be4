/**
 * The agent's gRPC server. With TLS files it requires and verifies client certificates signed by the CA and
 * accepts TLS 1.3 only, like Chaos Mesh's daemon (`RequireAndVerifyClientCert`, TLS >= 1.3); grpc-js's
 * `createSsl` cannot set a minimum version, hence the small credentials subclass. Without TLS it serves
 * plaintext, which config.ts allows on loopback addresses only.
 */
import { errorMessage } from '../common/errors/chaosflow-error.js';
import { readFile } from 'node:fs/promises';
import { Server, ServerCredentials, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { chaosDaemonProto } from '../proto/chaos-daemon-proto.js';
import { AgentConfigError } from './agent-error.js';
import type { AgentTlsFiles } from './config.js';

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

export async function serverCredentials(tls: AgentTlsFiles | undefined): Promise<ServerCredentials> {
  if (!tls) return ServerCredentials.createInsecure();
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
): Promise<AgentServer> {
  const server = new Server();
  server.addService(chaosDaemonProto().service, implementation);
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
    shutdown: (graceMs = 10_000) =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(() => server.forceShutdown(), graceMs);
        server.tryShutdown(() => {
          clearTimeout(timer);
          resolve();
        });
      }),
  };
}
