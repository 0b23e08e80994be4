import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withTemporalOptions } from '../../../cli/config.js';
import { resolveTemporalConfig, type TemporalFlags } from '../../../client/temporal-config.js';

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chaosflow-temporal-options-'));
  for (const name of ['client.pem', 'client.key', 'ca.pem']) await writeFile(join(dir, name), name);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The flags a command that talks to Temporal parses from argv, as its action receives them. */
function parse(argv: string[]): TemporalFlags {
  const command = withTemporalOptions(new Command('list').exitOverride());
  command.parse(argv, { from: 'user' });
  return command.opts<TemporalFlags>();
}

describe("the temporal CLI's connection flags on chaosflow's commands", () => {
  it('takes an API key for Temporal Cloud, which turns TLS on', () => {
    const flags = parse([
      '--address',
      'us-east-1.aws.api.temporal.io:7233',
      '--namespace',
      'chaos.a1b2c',
      '--api-key',
      'k',
    ]);
    const config = resolveTemporalConfig(flags, { TEMPORAL_CONFIG_FILE: join(dir, 'none.toml') });
    expect(config).toMatchObject({ address: 'us-east-1.aws.api.temporal.io:7233', namespace: 'chaos.a1b2c' });
    expect(config.connection).toMatchObject({ apiKey: 'k', tls: true });
  });

  it('takes mTLS certificate paths, a CA, a server name and --tls-disable-host-verification', () => {
    const flags = parse([
      '--tls-cert-path',
      join(dir, 'client.pem'),
      '--tls-key-path',
      join(dir, 'client.key'),
      '--tls-ca-path',
      join(dir, 'ca.pem'),
      '--tls-server-name',
      'frontend.internal',
      '--tls-disable-host-verification',
    ]);
    expect(flags).toMatchObject({ tlsServerName: 'frontend.internal', tlsDisableHostVerification: true });
    const tls = resolveTemporalConfig(flags, { TEMPORAL_CONFIG_FILE: join(dir, 'none.toml') }).connection.tls;
    expect(tls).toMatchObject({ serverNameOverride: 'frontend.internal' });
    expect(
      typeof tls === 'object' && tls?.clientCertPair ? Buffer.from(tls.clientCertPair.crt).toString() : '',
    ).toBe('client.pem');
  });

  it('turns TLS on with --tls alone', () => {
    const config = resolveTemporalConfig(parse(['--tls']), { TEMPORAL_CONFIG_FILE: join(dir, 'none.toml') });
    expect(config.connection.tls).toBeTruthy();
  });
});
