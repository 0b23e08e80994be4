/**
 * Mutual TLS between the daemon client and a fake daemon that requires client certificates, as Chaos Mesh's
 * daemon does. Certificates come from a throw-away CA made with the openssl CLI; the server certificate has
 * Chaos Mesh's SANs, and the client dials 127.0.0.1, so the server-name override is what makes it pass.
 */
import { Client, credentials, Metadata, ServerCredentials, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chaosDaemonProto } from '../../../proto/chaos-daemon-proto.js';
import { DaemonClientPool } from '../../../activities/daemon/daemon-client-pool.js';
import { readDaemonTls } from '../../../activities/daemon/daemon-credentials.js';
import { DaemonError, wrapCallError } from '../../../activities/daemon/daemon-error.js';
import { createTestCa, type CertFiles, type TestCa } from '../../harness/test-ca.js';
import { FakeDaemon } from './fake-daemon.js';

async function rejection(promise: Promise<unknown>): Promise<DaemonError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof DaemonError) return err;
    throw err;
  }
  throw new Error('the call succeeded but was expected to fail');
}

describe('DaemonClient with mutual TLS', () => {
  let ca: TestCa;
  let rogueCa: TestCa;
  let clientCert: CertFiles;
  let rogueClientCert: CertFiles;
  let daemon: FakeDaemon;
  const pool = new DaemonClientPool({ defaultDeadlineMs: 5_000 });

  beforeAll(async () => {
    ca = await createTestCa('chaos-mesh-ca');
    rogueCa = await createTestCa('someone-else-ca');
    const serverCert = await ca.server('daemon', ['chaos-daemon.chaos-mesh.org', 'localhost']);
    clientCert = await ca.client('client', 'controller-manager.chaos-mesh.org');
    rogueClientCert = await rogueCa.client('rogue', 'controller-manager.chaos-mesh.org');
    daemon = await FakeDaemon.start(
      ServerCredentials.createSsl(
        ca.ca,
        [{ private_key: serverCert.key, cert_chain: serverCert.cert }],
        true,
      ),
    );
  });
  afterAll(async () => {
    pool.close();
    await daemon?.stop();
    await ca?.remove();
    await rogueCa?.remove();
  });

  it('calls the daemon by IP with a client certificate, checking the server as chaos-daemon.chaos-mesh.org', async () => {
    const tls = await readDaemonTls({
      caFile: ca.caFile,
      certFile: clientCert.certFile,
      keyFile: clientCert.keyFile,
    });
    const client = pool.get({ address: daemon.address, transport: { kind: 'mtls', tls } });
    daemon.on('ContainerGetPid', { respond: { pid: 77 } });
    await expect(client.call('ContainerGetPid', { container_id: 'pid://77' })).resolves.toEqual({ pid: 77 });
    expect(daemon.calls.at(-1)?.request['container_id']).toBe('pid://77');
  });

  it('is refused when it presents no client certificate', async () => {
    const { service } = chaosDaemonProto();
    const method = service['ContainerGetPid'];
    if (!method) throw new Error('ContainerGetPid missing');
    const raw = new Client(daemon.address, credentials.createSsl(ca.ca), {
      'grpc.ssl_target_name_override': 'chaos-daemon.chaos-mesh.org',
      'grpc.default_authority': 'chaos-daemon.chaos-mesh.org',
    });
    const calls = daemon.calls.length;
    try {
      const error = await new Promise<DaemonError>((resolve, reject) => {
        raw.makeUnaryRequest(
          method.path,
          method.requestSerialize,
          method.responseDeserialize,
          { container_id: 'pid://1' },
          new Metadata(),
          { deadline: Date.now() + 5_000 },
          (err: ServiceError | null) =>
            err
              ? resolve(wrapCallError(err, daemon.address, 'ContainerGetPid'))
              : reject(new Error('accepted')),
        );
      });
      expect(error.context.status).toBe('UNAVAILABLE');
      expect(daemon.calls.length).toBe(calls);
    } finally {
      raw.close();
    }
  });

  it('is refused when its certificate comes from another CA', async () => {
    const client = pool.get({
      address: daemon.address,
      transport: { kind: 'mtls', tls: { ca: ca.ca, cert: rogueClientCert.cert, key: rogueClientCert.key } },
    });
    const calls = daemon.calls.length;
    const error = await rejection(client.call('ContainerGetPid', { container_id: 'pid://1' }));
    expect(error.context.status).toBe('UNAVAILABLE');
    expect(daemon.calls.length).toBe(calls);
  });

  it('refuses a server whose certificate does not carry the expected server name', async () => {
    const client = pool.get({
      address: daemon.address,
      transport: {
        kind: 'mtls',
        tls: { ca: ca.ca, cert: clientCert.cert, key: clientCert.key, serverName: 'not-the-daemon.example' },
      },
    });
    const error = await rejection(client.call('ContainerGetPid', { container_id: 'pid://1' }));
    expect(error.context.status).toBe('UNAVAILABLE');
  });

  it('refuses a server signed by a CA it does not trust', async () => {
    const client = pool.get({
      address: daemon.address,
      transport: { kind: 'mtls', tls: { ca: rogueCa.ca, cert: clientCert.cert, key: clientCert.key } },
    });
    const error = await rejection(client.call('ContainerGetPid', { container_id: 'pid://1' }));
    expect(error.context.status).toBe('UNAVAILABLE');
  });

  it('reports unreadable TLS files as DAEMON_TLS_INVALID, naming the file', async () => {
    const error = await rejection(
      readDaemonTls({
        caFile: '/nonexistent/ca.crt',
        certFile: clientCert.certFile,
        keyFile: clientCert.keyFile,
      }),
    );
    expect(error.code).toBe('DAEMON_TLS_INVALID');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('/nonexistent/ca.crt');
  });
});
