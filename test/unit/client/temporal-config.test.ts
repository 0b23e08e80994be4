import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveTemporalConfig } from '../../../client/temporal-config.js';

/** The bytes of a certificate or key the configuration loaded, as text. */
const text = (bytes: Uint8Array | undefined) => (bytes ? Buffer.from(bytes).toString('utf8') : undefined);

let dir: string;
let cert: string;
let key: string;
let ca: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chaosflow-temporal-config-'));
  cert = join(dir, 'client.pem');
  key = join(dir, 'client.key');
  ca = join(dir, 'ca.pem');
  for (const file of [cert, key, ca]) await writeFile(file, `contents of ${file}\n`);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('where chaosflow finds Temporal', () => {
  it('defaults to the local dev server, namespace default, no TLS', () => {
    const config = resolveTemporalConfig({}, { TEMPORAL_CONFIG_FILE: join(dir, 'none.toml') });
    expect(config).toMatchObject({ address: '127.0.0.1:7233', namespace: 'default', taskQueue: 'chaosflow' });
    expect(config.connection.tls).toBeUndefined();
    expect(config.connection.apiKey).toBeUndefined();
  });

  it('reads a self-hosted cluster from TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE, and flags win over them', () => {
    const env = { TEMPORAL_ADDRESS: 'temporal-frontend.temporal:7233', TEMPORAL_NAMESPACE: 'chaos' };
    expect(resolveTemporalConfig({}, env)).toMatchObject({
      address: 'temporal-frontend.temporal:7233',
      namespace: 'chaos',
    });
    expect(resolveTemporalConfig({ address: '10.0.0.5:7233', namespace: 'other' }, env)).toMatchObject({
      address: '10.0.0.5:7233',
      namespace: 'other',
      connection: { address: '10.0.0.5:7233' },
    });
  });

  it('connects to Temporal Cloud with an API key, which turns TLS on, from the flag or TEMPORAL_API_KEY', () => {
    const cloud = {
      TEMPORAL_ADDRESS: 'us-east-1.aws.api.temporal.io:7233',
      TEMPORAL_NAMESPACE: 'chaos.a1b2c',
    };
    const fromEnv = resolveTemporalConfig({}, { ...cloud, TEMPORAL_API_KEY: 'key-from-env' });
    expect(fromEnv.connection).toMatchObject({ apiKey: 'key-from-env', tls: true });
    const fromFlag = resolveTemporalConfig(
      { apiKey: 'key-from-flag' },
      { ...cloud, TEMPORAL_API_KEY: 'key-from-env' },
    );
    expect(fromFlag.connection).toMatchObject({ apiKey: 'key-from-flag', tls: true });
  });

  it('connects with mTLS from the certificate flags or the TEMPORAL_TLS_* variables', () => {
    const fromFlags = resolveTemporalConfig(
      { tlsCertPath: cert, tlsKeyPath: key, tlsCaPath: ca, tlsServerName: 'frontend.internal' },
      { TEMPORAL_ADDRESS: 'chaos.a1b2c.tmprl.cloud:7233' },
    );
    const fromEnv = resolveTemporalConfig(
      {},
      {
        TEMPORAL_ADDRESS: 'chaos.a1b2c.tmprl.cloud:7233',
        TEMPORAL_TLS_CLIENT_CERT_PATH: cert,
        TEMPORAL_TLS_CLIENT_KEY_PATH: key,
        TEMPORAL_TLS_SERVER_CA_CERT_PATH: ca,
        TEMPORAL_TLS_SERVER_NAME: 'frontend.internal',
      },
    );
    for (const config of [fromFlags, fromEnv]) {
      const tls = config.connection.tls;
      expect(typeof tls).toBe('object');
      if (typeof tls !== 'object' || !tls) continue;
      expect(tls.serverNameOverride).toBe('frontend.internal');
      expect(text(tls.clientCertPair?.crt)).toBe(`contents of ${cert}\n`);
      expect(text(tls.clientCertPair?.key)).toBe(`contents of ${key}\n`);
      expect(text(tls.serverRootCACertificate)).toBe(`contents of ${ca}\n`);
    }
  });

  it('reads a profile of the Temporal configuration file', async () => {
    const file = join(dir, 'temporal.toml');
    await writeFile(
      file,
      [
        '[profile.prod]',
        'address = "temporal.prod:7233"',
        'namespace = "chaos-prod"',
        'api_key = "prod-key"',
        '',
      ].join('\n'),
    );
    const config = resolveTemporalConfig({ profile: 'prod' }, { TEMPORAL_CONFIG_FILE: file });
    expect(config).toMatchObject({ address: 'temporal.prod:7233', namespace: 'chaos-prod' });
    expect(config.connection).toMatchObject({ apiKey: 'prod-key', tls: true });
  });
});
