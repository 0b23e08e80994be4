/**
 * A fake Chaos Daemon: a real in-process grpc-js server for `pb.ChaosDaemon` whose handlers only record what
 * they receive and answer as each test scripts them. For tests of the client (metadata, deadlines, errors,
 * TLS), never of fault injection.
 */
import {
  Server,
  ServerCredentials,
  type status,
  type Metadata,
  type ServerUnaryCall,
  type sendUnaryData,
  type UntypedServiceImplementation,
} from '@grpc/grpc-js';
import { chaosDaemonProto } from '../../../proto/chaos-daemon-proto.js';
import { CHAOS_DAEMON_RPCS, type ChaosDaemonRpc } from '../../../proto/chaos-daemon-rpcs.js';

export interface ReceivedCall {
  readonly rpc: ChaosDaemonRpc;
  readonly request: Record<string, unknown>;
  readonly metadata: Metadata;
}

/** What a handler does: answer with a value, fail with a status, or wait first. */
export interface FakeBehaviour {
  readonly delayMs?: number;
  readonly fail?: { readonly code: status; readonly message: string };
  readonly respond?: Record<string, unknown>;
}

export class FakeDaemon {
  readonly calls: ReceivedCall[] = [];
  readonly #behaviours = new Map<ChaosDaemonRpc, FakeBehaviour>();
  readonly server = new Server();
  #address = '';

  /** `127.0.0.1:<port>` once started. */
  get address(): string {
    return this.#address;
  }

  static async start(
    credentials: ServerCredentials = ServerCredentials.createInsecure(),
  ): Promise<FakeDaemon> {
    const daemon = new FakeDaemon();
    const implementation: UntypedServiceImplementation = {};
    for (const rpc of CHAOS_DAEMON_RPCS) {
      implementation[rpc] = (call: ServerUnaryCall<unknown, unknown>, callback: sendUnaryData<unknown>) => {
        void daemon.handle(rpc, call, callback);
      };
    }
    daemon.server.addService(chaosDaemonProto().service, implementation);
    const port = await new Promise<number>((resolve, reject) =>
      daemon.server.bindAsync('127.0.0.1:0', credentials, (err, boundPort) =>
        err ? reject(err) : resolve(boundPort),
      ),
    );
    daemon.#address = `127.0.0.1:${port}`;
    return daemon;
  }

  /** Scripts the answer of `rpc` for the following calls. */
  on(rpc: ChaosDaemonRpc, behaviour: FakeBehaviour): void {
    this.#behaviours.set(rpc, behaviour);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.tryShutdown(() => resolve()));
    this.server.forceShutdown();
  }

  private async handle(
    rpc: ChaosDaemonRpc,
    call: ServerUnaryCall<unknown, unknown>,
    callback: sendUnaryData<unknown>,
  ): Promise<void> {
    this.calls.push({ rpc, request: call.request as Record<string, unknown>, metadata: call.metadata });
    const behaviour = this.#behaviours.get(rpc) ?? {};
    if (behaviour.delayMs) await new Promise((resolve) => setTimeout(resolve, behaviour.delayMs));
    if (behaviour.fail) {
      callback({ code: behaviour.fail.code, details: behaviour.fail.message });
      return;
    }
    callback(null, behaviour.respond ?? {});
  }
}
