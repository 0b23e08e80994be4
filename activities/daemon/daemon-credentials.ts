/**
 * How the client talks to a daemon: mutual TLS (Chaos Mesh's default, `chaosDaemon.mtls.enabled=true`) or, only
 * when configured explicitly, plaintext. With TLS the client presents its certificate, accepts TLS 1.3 only,
 * and checks the server certificate against the server name `chaos-daemon.chaos-mesh.org` whatever address it
 * dials (daemons are reached by pod or node IP), like Chaos Mesh's controller does.
 */
import { errorMessage } from '../../common/errors/chaosflow-error.js';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createSecureContext } from 'node:tls';
import { credentials, type ChannelCredentials, type ChannelOptions } from '@grpc/grpc-js';
import { CHAOS_DAEMON_TLS_SERVER_NAME } from '../../proto/daemon-metadata.js';
import { DaemonError } from './daemon-error.js';

/** PEM contents of the CA that signed the daemon's certificate, and of the client's own certificate and key. */
export interface DaemonTls {
  readonly ca: Buffer;
  readonly cert: Buffer;
  readonly key: Buffer;
  /** The name the server certificate must carry; default `chaos-daemon.chaos-mesh.org`. */
  readonly serverName?: string;
}

export interface DaemonTlsFiles {
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
  readonly serverName?: string;
}

export type DaemonTransport =
  | { readonly kind: 'mtls'; readonly tls: DaemonTls }
  /** No encryption and no authentication: only for a daemon or agent on loopback, and only on request. */
  | { readonly kind: 'plaintext' };

export interface DaemonChannelSettings {
  readonly credentials: ChannelCredentials;
  readonly options: ChannelOptions;
}

/** Reads the three PEM files (Chaos Mesh's Secret keys `ca.crt`, `tls.crt`, `tls.key`). */
export async function readDaemonTls(files: DaemonTlsFiles, endpoint = '(any)'): Promise<DaemonTls> {
  const read = async (label: string, path: string): Promise<Buffer> => {
    try {
      return await readFile(path);
    } catch (err) {
      throw new DaemonError(
        'DAEMON_TLS_INVALID',
        {
          endpoint,
          status: 'FAILED_PRECONDITION',
          serverMessage: `cannot read the ${label} file ${path} (${errorMessage(err)}); check the daemon TLS settings`,
        },
        { cause: err },
      );
    }
  };
  const [ca, cert, key] = await Promise.all([
    read('CA certificate', files.caFile),
    read('client certificate', files.certFile),
    read('client key', files.keyFile),
  ]);
  return { ca, cert, key, ...(files.serverName ? { serverName: files.serverName } : {}) };
}

/** A digest of everything that identifies the session (CA, client identity, server name): part of a pool key. */
export function transportIdentity(transport: DaemonTransport): string {
  if (transport.kind === 'plaintext') return 'plaintext';
  const { ca, cert, key } = transport.tls;
  const digest = createHash('sha256')
    .update(ca)
    .update('\0')
    .update(cert)
    .update('\0')
    .update(key)
    .update('\0')
    .update(transport.tls.serverName ?? CHAOS_DAEMON_TLS_SERVER_NAME)
    .digest('hex');
  return `mtls:${digest}`;
}

export function channelSettings(transport: DaemonTransport, endpoint: string): DaemonChannelSettings {
  if (transport.kind === 'plaintext') {
    return { credentials: credentials.createInsecure(), options: {} };
  }
  const { ca, cert, key } = transport.tls;
  const serverName = transport.tls.serverName ?? CHAOS_DAEMON_TLS_SERVER_NAME;
  let context;
  try {
    context = createSecureContext({ ca, cert, key, minVersion: 'TLSv1.3' });
  } catch (err) {
    throw new DaemonError(
      'DAEMON_TLS_INVALID',
      {
        endpoint,
        status: 'FAILED_PRECONDITION',
        serverMessage: `the daemon TLS material is not valid PEM or the key does not match the certificate (${errorMessage(err)})`,
      },
      { cause: err },
    );
  }
  return {
    credentials: credentials.createFromSecureContext(context),
    options: {
      'grpc.ssl_target_name_override': serverName,
      'grpc.default_authority': serverName,
    },
  };
}
