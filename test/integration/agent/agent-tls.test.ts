/**
 * The agent serving mutual TLS like Chaos Mesh's daemon (client certificate required and verified, TLS 1.3
 * only), with the client dialling 127.0.0.1 and checking the name chaos-daemon.chaos-mesh.org, and obeying
 * only the client names it was given (`--allow-client`); and the RPCs it does not implement answering
 * UNIMPLEMENTED with a reason.
 */
import type { DaemonError } from '../../../activities/daemon/daemon-error.js';
import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DaemonClientPool } from '../../../activities/daemon/daemon-client-pool.js';
import type { ChaosDaemonRpc } from '../../../proto/chaos-daemon-rpcs.js';
import { UNIMPLEMENTED_REASONS } from '../../../agent/daemon-service.js';
import { createTestCa, type CertFiles, type TestCa } from '../../harness/test-ca.js';
import { startAgentFixture, type AgentFixture } from './agent-fixture.js';

describe('chaosflow agent: mutual TLS and unimplemented RPCs', () => {
  let ca: TestCa;
  let otherCa: TestCa;
  let server: CertFiles;
  let client: CertFiles;
  let stranger: CertFiles;
  let unlisted: CertFiles;
  let fixture: AgentFixture;
  let target: ChildProcess;
  const pid = () => target.pid ?? -1;
  const pool = new DaemonClientPool({ defaultDeadlineMs: 5_000 });

  beforeAll(async () => {
    ca = await createTestCa('chaos-mesh-ca');
    otherCa = await createTestCa('other-ca');
    server = await ca.server('agent', ['chaos-daemon.chaos-mesh.org', 'localhost']);
    client = await ca.client('controller', 'controller-manager.chaos-mesh.org');
    stranger = await otherCa.client('stranger', 'controller-manager.chaos-mesh.org');
    unlisted = await ca.client('unlisted', 'someone-else.example');
    fixture = await startAgentFixture({
      ca: ca.caFile,
      cert: server.certFile,
      key: server.keyFile,
      allowClient: ['controller-manager.chaos-mesh.org'],
    });
    target = spawn('sleep', ['300'], { stdio: 'ignore' });
  });
  afterAll(async () => {
    target?.kill('SIGKILL');
    pool.close();
    await fixture?.stop();
    await ca?.remove();
    await otherCa?.remove();
  });

  it('answers a client with a certificate from its CA', async () => {
    const daemon = pool.get({
      address: fixture.agent.address,
      transport: { kind: 'mtls', tls: { ca: ca.ca, cert: client.cert, key: client.key } },
    });
    await expect(daemon.call('ContainerGetPid', { container_id: `pid://${pid()}` })).resolves.toEqual({
      pid: pid(),
    });
  });

  it('refuses a certificate from its CA whose name it was not told to serve, saying how to admit it', async () => {
    const daemon = pool.get({
      address: fixture.agent.address,
      transport: { kind: 'mtls', tls: { ca: ca.ca, cert: unlisted.cert, key: unlisted.key } },
    });
    const error = (await daemon
      .call('ContainerKill', { container_id: `pid://${pid()}`, action: { action: 'KILL' } })
      .catch((err: unknown) => err)) as DaemonError;
    expect(error.context).toMatchObject({ status: 'PERMISSION_DENIED' });
    expect(error.context.serverMessage).toContain('"someone-else.example"');
    expect(error.context.serverMessage).toContain('--allow-client');
    expect(error.retryable).toBe(false);
    expect(target.exitCode).toBeNull();
  });

  it("refuses its own server certificate presented as a client's", async () => {
    const daemon = pool.get({
      address: fixture.agent.address,
      transport: { kind: 'mtls', tls: { ca: ca.ca, cert: server.cert, key: server.key } },
    });
    const error = (await daemon
      .call('ContainerKill', { container_id: `pid://${pid()}`, action: { action: 'KILL' } })
      .catch((err: unknown) => err)) as DaemonError;
    // The TLS layer already refuses it (its extended key usage is serverAuth only); the name check would too.
    expect(['UNAVAILABLE', 'PERMISSION_DENIED']).toContain(error.context.status);
    expect(target.exitCode).toBeNull();
  });

  it('refuses a client whose certificate another CA signed', async () => {
    const daemon = pool.get({
      address: fixture.agent.address,
      transport: { kind: 'mtls', tls: { ca: ca.ca, cert: stranger.cert, key: stranger.key } },
    });
    await expect(daemon.call('ContainerGetPid', { container_id: `pid://${pid()}` })).rejects.toMatchObject({
      context: { status: 'UNAVAILABLE' },
    });
  });

  it('refuses plaintext clients on its TLS port, and the client says what to check', async () => {
    const daemon = pool.get({ address: fixture.agent.address, transport: { kind: 'plaintext' } });
    const error = (await daemon
      .call('ContainerGetPid', { container_id: `pid://${pid()}` })
      .catch((err: unknown) => err)) as DaemonError;
    expect(error.context.status).toBe('UNAVAILABLE');
    expect(error.context.serverMessage).toContain(
      'this client speaks plaintext; if the daemon serves mutual TLS',
    );
    expect(error.context.serverMessage).toContain('<agent state dir>/tls/client');
  });

  for (const [version, outcome] of [
    ['TLSv1.2', 'refused'],
    ['TLSv1.3', 'accepted'],
  ] as const) {
    it(`${outcome === 'accepted' ? 'accepts' : 'refuses'} a ${version} handshake`, async () => {
      const port = fixture.agent.port;
      const result = await new Promise<string>((resolve) => {
        const socket = connect({
          host: '127.0.0.1',
          port,
          servername: 'chaos-daemon.chaos-mesh.org',
          ca: ca.ca,
          cert: client.cert,
          key: client.key,
          minVersion: version,
          maxVersion: version,
          ALPNProtocols: ['h2'],
        });
        socket.once('secureConnect', () => {
          socket.destroy();
          resolve('accepted');
        });
        socket.once('error', () => resolve('refused'));
      });
      expect(result).toBe(outcome);
    });
  }

  it('answers UNIMPLEMENTED with a reason for every RPC a host process cannot support', async () => {
    const daemon = pool.get({
      address: fixture.agent.address,
      transport: { kind: 'mtls', tls: { ca: ca.ca, cert: client.cert, key: client.key } },
    });
    const rpcs = Object.keys(UNIMPLEMENTED_REASONS) as (keyof typeof UNIMPLEMENTED_REASONS &
      ChaosDaemonRpc)[];
    expect(rpcs.sort()).toEqual(
      [
        'ApplyBlockChaos',
        'InstallJVMRules',
        'RecoverBlockChaos',
        'RecoverTimeOffset',
        'SetDNSServer',
        'SetTimeOffset',
        'UninstallJVMRules',
      ].sort(),
    );
    for (const rpc of rpcs) {
      const error = await daemon.call(rpc, { container_id: `pid://${pid()}` }).catch((err: unknown) => err);
      expect(error, rpc).toMatchObject({ context: { status: 'UNIMPLEMENTED' }, retryable: false });
      expect((error as DaemonError).context.serverMessage, rpc).toBe(UNIMPLEMENTED_REASONS[rpc]);
    }
    const time = await daemon.call('SetTimeOffset', {}).catch((err: unknown) => err);
    expect((time as Error).message).toContain('TimeChaos');
    expect((time as Error).message).toContain('not available for host processes');
  });
});
