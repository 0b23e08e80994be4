/**
 * The daemon client against a fake daemon (a real in-process grpc-js server, plaintext on loopback):
 * metadata, deadlines, error classification, channel pooling and typed round trips.
 */
import { status } from '@grpc/grpc-js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DaemonClientPool } from '../../../activities/daemon/daemon-client-pool.js';
import { DaemonError, RETRYABLE_STATUS } from '../../../activities/daemon/daemon-error.js';
import type { GrpcStatusName } from '../../../proto/grpc-status.js';
import { freePort } from '../../../embedded/free-port.js';
import { FakeDaemon } from './fake-daemon.js';

const plaintext = { kind: 'plaintext' } as const;

async function rejection(promise: Promise<unknown>): Promise<DaemonError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof DaemonError) return err;
    throw err;
  }
  throw new Error('the call succeeded but was expected to fail');
}

describe('DaemonClient against a fake daemon', () => {
  let daemon: FakeDaemon;
  let pool: DaemonClientPool;

  beforeAll(async () => {
    daemon = await FakeDaemon.start();
  });
  afterAll(async () => {
    await daemon.stop();
  });
  beforeEach(() => {
    pool?.close();
    pool = new DaemonClientPool();
    daemon.calls.length = 0;
  });

  it('sends namespaced-name and chaosflow-fault-key metadata with the request', async () => {
    const client = pool.get({ address: daemon.address, transport: plaintext });
    await client.call(
      'SetIptablesChains',
      { container_id: 'pid://42', enterNS: true, chains: [{ name: 'OUTPUT/x', direction: 'OUTPUT' }] },
      { namespacedName: 'default/partition', faultKey: { run: 'run-1', node: 'net', target: 'pid://42' } },
    );
    const call = daemon.calls.at(-1);
    expect(call?.rpc).toBe('SetIptablesChains');
    expect(call?.metadata.get('namespaced-name')).toEqual(['default/partition']);
    expect(call?.metadata.get('chaosflow-fault-key')).toEqual(['run-1/net/pid://42']);
    expect(call?.request['container_id']).toBe('pid://42');
    expect(call?.request['chains']).toMatchObject([{ name: 'OUTPUT/x', direction: 'OUTPUT', ipsets: [] }]);
  });

  it('percent-encodes characters that gRPC metadata cannot carry', async () => {
    const client = pool.get({ address: daemon.address, transport: plaintext });
    await client.call('ContainerGetPid', { container_id: 'pid://1' }, { namespacedName: 'ns/ünïcode' });
    expect(daemon.calls.at(-1)?.metadata.get('namespaced-name')).toEqual(['ns/%C3%BCn%C3%AFcode']);
  });

  it('decodes typed responses with 64-bit integers as strings', async () => {
    daemon.on('ExecStressors', {
      respond: { cpuInstance: '1234', cpuStartTime: '1760000000123', cpuInstanceUid: 'u-1' },
    });
    const client = pool.get({ address: daemon.address, transport: plaintext });
    const response = await client.call('ExecStressors', { target: 'pid://1', cpuStressors: '--cpu 1' });
    expect(response).toEqual({
      cpuInstance: '1234',
      cpuStartTime: '1760000000123',
      memoryInstance: '',
      memoryStartTime: '0',
      cpuInstanceUid: 'u-1',
      memoryInstanceUid: '',
    });
  });

  it('fails with DEADLINE_EXCEEDED (retryable) when the daemon answers after the per-call deadline', async () => {
    daemon.on('SetTcs', { delayMs: 1_500 });
    const client = pool.get({ address: daemon.address, transport: plaintext });
    const started = Date.now();
    const error = await rejection(client.call('SetTcs', { container_id: 'pid://1' }, { deadlineMs: 200 }));
    const elapsed = Date.now() - started;
    expect(error.context.status).toBe('DEADLINE_EXCEEDED');
    expect(error.retryable).toBe(true);
    expect(error.context.rpc).toBe('SetTcs');
    expect(elapsed).toBeGreaterThanOrEqual(190);
    expect(elapsed).toBeLessThan(1_400);
  });

  it('applies the pool default deadline when a call sets none', async () => {
    daemon.on('FlushIPSets', { delayMs: 1_500 });
    const shortPool = new DaemonClientPool({ defaultDeadlineMs: 150 });
    try {
      const client = shortPool.get({ address: daemon.address, transport: plaintext });
      const started = Date.now();
      const error = await rejection(client.call('FlushIPSets', { container_id: 'pid://1' }));
      expect(error.context.status).toBe('DEADLINE_EXCEEDED');
      expect(Date.now() - started).toBeLessThan(1_400);
    } finally {
      shortPool.close();
    }
  });

  const classified: readonly [GrpcStatusName, number, boolean][] = [
    ['UNAVAILABLE', status.UNAVAILABLE, true],
    ['DEADLINE_EXCEEDED', status.DEADLINE_EXCEEDED, true],
    ['RESOURCE_EXHAUSTED', status.RESOURCE_EXHAUSTED, true],
    ['ABORTED', status.ABORTED, true],
    ['INVALID_ARGUMENT', status.INVALID_ARGUMENT, false],
    ['FAILED_PRECONDITION', status.FAILED_PRECONDITION, false],
    ['UNIMPLEMENTED', status.UNIMPLEMENTED, false],
    ['NOT_FOUND', status.NOT_FOUND, false],
    ['PERMISSION_DENIED', status.PERMISSION_DENIED, false],
    ['UNAUTHENTICATED', status.UNAUTHENTICATED, false],
  ];
  for (const [name, code, retryable] of classified) {
    it(`wraps a ${name} answer into a DaemonError with retryable=${retryable}`, async () => {
      daemon.on('ContainerKill', { fail: { code, message: `daemon says ${name}` } });
      const client = pool.get({ address: daemon.address, transport: plaintext });
      const error = await rejection(client.call('ContainerKill', { container_id: 'pid://9' }));
      expect(error).toMatchObject({
        code: 'DAEMON_CALL_FAILED',
        context: {
          status: name,
          endpoint: daemon.address,
          rpc: 'ContainerKill',
          serverMessage: `daemon says ${name}`,
        },
        retryable,
      });
      expect(error.message).toContain(`ContainerKill on ${daemon.address} failed with ${name}`);
      expect(RETRYABLE_STATUS[name]).toBe(retryable);
    });
  }

  it('reports UNAVAILABLE (retryable) when nothing listens at the endpoint', async () => {
    const address = `127.0.0.1:${await freePort()}`;
    const client = pool.get({ address, transport: plaintext });
    const error = await rejection(
      client.call('ContainerGetPid', { container_id: 'pid://1' }, { deadlineMs: 5_000 }),
    );
    expect(error.context.status).toBe('UNAVAILABLE');
    expect(error.retryable).toBe(true);
    expect(error.context.endpoint).toBe(address);
  });

  it('cancels a call when its abort signal fires', async () => {
    daemon.on('SetTcs', { delayMs: 2_000 });
    const client = pool.get({ address: daemon.address, transport: plaintext });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const error = await rejection(
      client.call('SetTcs', { container_id: 'pid://1' }, { signal: controller.signal }),
    );
    expect(error.context.status).toBe('CANCELLED');
  });

  it('keeps one channel per endpoint and transport', () => {
    const a = pool.get({ address: daemon.address, transport: plaintext });
    const b = pool.get({ address: daemon.address, transport: plaintext });
    const c = pool.get({ address: '127.0.0.1:1', transport: plaintext });
    expect(a).toBe(b);
    expect(c).not.toBe(a);
    expect(pool.size).toBe(2);
    pool.close();
    expect(pool.size).toBe(0);
    expect(() => pool.get({ address: daemon.address, transport: plaintext })).toThrow(/closed/);
  });
});
