/**
 * One gRPC channel per daemon endpoint and TLS identity, shared by every activity of a worker (Chaos Mesh's
 * controller dials a new connection per operation; a pool avoids a TLS handshake per fault). The worker's
 * composition root owns the pool and closes it on shutdown.
 */
import { Client } from '@grpc/grpc-js';
import { channelSettings, transportIdentity, type DaemonTransport } from './daemon-credentials.js';
import { DaemonClient, DEFAULT_DAEMON_DEADLINE_MS } from './daemon-client.js';

/** What a plaintext client that cannot get through should check first. */
export const PLAINTEXT_HINT =
  'this client speaks plaintext; if the daemon serves mutual TLS, as the chaosflow agent does by default, give ' +
  "the endpoint TLS files: the inventory's daemon.tls (the agent's client certificate is in <agent state " +
  "dir>/tls/client) or the worker's --daemon-tls-dir";

export interface DaemonEndpoint {
  /** `host:port` (IPv6 as `[addr]:port`). */
  readonly address: string;
  readonly transport: DaemonTransport;
}

export interface DaemonClientPoolOptions {
  /** Deadline of each call unless the call sets its own. Default 60 s. */
  readonly defaultDeadlineMs?: number;
}

export class DaemonClientPool {
  readonly #clients = new Map<string, { grpc: Client; daemon: DaemonClient }>();
  readonly #defaultDeadlineMs: number;
  #closed = false;

  constructor(options: DaemonClientPoolOptions = {}) {
    this.#defaultDeadlineMs = options.defaultDeadlineMs ?? DEFAULT_DAEMON_DEADLINE_MS;
  }

  /** The client of `endpoint`, creating its channel on first use. Throws `DaemonError` on bad TLS material. */
  get(endpoint: DaemonEndpoint): DaemonClient {
    if (this.#closed) throw new Error('the daemon client pool is closed (the worker is shutting down)');
    const key = `${endpoint.address}|${transportIdentity(endpoint.transport)}`;
    const existing = this.#clients.get(key);
    if (existing) return existing.daemon;
    const settings = channelSettings(endpoint.transport, endpoint.address);
    const grpc = new Client(endpoint.address, settings.credentials, settings.options);
    const daemon = new DaemonClient(
      endpoint.address,
      grpc,
      this.#defaultDeadlineMs,
      endpoint.transport.kind === 'plaintext' ? PLAINTEXT_HINT : undefined,
    );
    this.#clients.set(key, { grpc, daemon });
    return daemon;
  }

  /** Number of open channels. */
  get size(): number {
    return this.#clients.size;
  }

  /** Closes every channel; calls in flight fail with CANCELLED or UNAVAILABLE. */
  close(): void {
    this.#closed = true;
    for (const { grpc } of this.#clients.values()) grpc.close();
    this.#clients.clear();
  }
}
