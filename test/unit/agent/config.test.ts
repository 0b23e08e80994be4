import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AgentConfigError } from '../../../agent/agent-error.js';
import { isLoopback, parseAgentConfig } from '../../../agent/config.js';

describe('parseAgentConfig', () => {
  it('defaults to mutual TLS with generated certificates on 127.0.0.1:31767, state in /var/lib/chaosflow/agent', () => {
    const config = parseAgentConfig({}, {});
    expect(config).toMatchObject({
      listen: { host: '127.0.0.1', port: 31767 },
      transport: {
        kind: 'mtls',
        source: 'generated',
        files: {
          caFile: '/var/lib/chaosflow/agent/tls/server/ca.crt',
          certFile: '/var/lib/chaosflow/agent/tls/server/tls.crt',
          keyFile: '/var/lib/chaosflow/agent/tls/server/tls.key',
        },
        allowClients: ['chaosflow-worker'],
      },
      stateDir: '/var/lib/chaosflow/agent',
      stressNgPath: 'stress-ng',
      iofsPath: 'chaosflow-iofs',
      recoverAll: false,
      recoverOnExit: false,
      allowHostNetwork: false,
      logLevel: 'info',
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(Object.isFrozen(config.listen)).toBe(true);
  });

  it('finds chaosflow-iofs on PATH (the agent opens it itself), and takes --iofs or CHAOSFLOW_AGENT_IOFS as given', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'chaosflow-config-'));
    try {
      await writeFile(join(dir, 'chaosflow-iofs'), '', { mode: 0o755 });
      expect(parseAgentConfig({}, { PATH: `/nonexistent:${dir}` }).iofsPath).toBe(
        join(dir, 'chaosflow-iofs'),
      );
      expect(parseAgentConfig({}, { PATH: '/nonexistent' }).iofsPath).toBe('chaosflow-iofs');
      expect(parseAgentConfig({}, { CHAOSFLOW_AGENT_IOFS: '/opt/iofs' }).iofsPath).toBe('/opt/iofs');
      expect(parseAgentConfig({ iofs: '/flag/iofs' }, { CHAOSFLOW_AGENT_IOFS: '/opt/iofs' }).iofsPath).toBe(
        '/flag/iofs',
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('takes flags over environment variables', () => {
    const config = parseAgentConfig(
      { stateDir: '/flag', listen: '[::1]:9000' },
      {
        CHAOSFLOW_AGENT_STATE_DIR: '/env',
        CHAOSFLOW_AGENT_STRESS_NG: '/opt/stress-ng',
        CHAOSFLOW_AGENT_RECOVER_ON_EXIT: '1',
      },
    );
    expect(config.stateDir).toBe('/flag');
    expect(config.listen).toEqual({ host: '::1', port: 9000 });
    expect(config.stressNgPath).toBe('/opt/stress-ng');
    expect(config.recoverOnExit).toBe(true);
  });

  it('serves plaintext only when asked explicitly, and only on loopback, saying how to fix it', () => {
    expect(parseAgentConfig({ insecurePlaintextLoopback: true }, {}).transport).toEqual({
      kind: 'plaintext',
    });
    expect(parseAgentConfig({}, { CHAOSFLOW_AGENT_INSECURE_PLAINTEXT_LOOPBACK: '1' }).transport).toEqual({
      kind: 'plaintext',
    });
    expect(() => parseAgentConfig({ listen: '0.0.0.0:31767', insecurePlaintextLoopback: true }, {})).toThrow(
      AgentConfigError,
    );
    expect(() => parseAgentConfig({ listen: '10.0.0.5:31767', insecurePlaintextLoopback: true }, {})).toThrow(
      /Drop --insecure-plaintext-loopback/,
    );
    expect(() =>
      parseAgentConfig({ insecurePlaintextLoopback: true, allowClient: ['chaosflow-worker'] }, {}),
    ).toThrow(/cannot be combined/);
    // Without the flag, a non-loopback address is served with mutual TLS.
    expect(parseAgentConfig({ listen: '0.0.0.0:31767' }, {}).transport.kind).toBe('mtls');
  });

  it('serves any address with all three TLS files, and refuses some of them only', () => {
    const tls = { ca: '/ca.crt', cert: '/tls.crt', key: '/tls.key' };
    expect(parseAgentConfig({ listen: '0.0.0.0:31767', ...tls }, {}).transport).toEqual({
      kind: 'mtls',
      source: 'given',
      files: { caFile: '/ca.crt', certFile: '/tls.crt', keyFile: '/tls.key' },
      allowClients: ['chaosflow-worker'],
    });
    expect(() => parseAgentConfig({ ca: '/ca.crt', cert: '/tls.crt' }, {})).toThrow(
      /all of --ca, --cert and --key/,
    );
  });

  it('takes the allowed client names from --allow-client or CHAOSFLOW_AGENT_ALLOW_CLIENTS, and checks them', () => {
    const names = (config: ReturnType<typeof parseAgentConfig>) =>
      config.transport.kind === 'mtls' ? config.transport.allowClients : undefined;
    expect(names(parseAgentConfig({ allowClient: ['a.example', 'b', 'a.example'] }, {}))).toEqual([
      'a.example',
      'b',
    ]);
    expect(
      names(parseAgentConfig({}, { CHAOSFLOW_AGENT_ALLOW_CLIENTS: 'x, controller-manager.chaos-mesh.org' })),
    ).toEqual(['x', 'controller-manager.chaos-mesh.org']);
    expect(() => parseAgentConfig({ allowClient: ['*.example'] }, {})).toThrow(/is not a certificate name/);
    expect(() => parseAgentConfig({ allowClient: ['a b'] }, {})).toThrow(/--allow-client/);
  });

  it('rejects a malformed listen address and an unknown log level', () => {
    expect(() => parseAgentConfig({ listen: 'localhost' }, {})).toThrow(/host:port/);
    expect(() => parseAgentConfig({ listen: '127.0.0.1:70000' }, {})).toThrow(/host:port/);
    expect(() => parseAgentConfig({ logLevel: 'loud' }, {})).toThrow(/--log-level/);
  });

  it('knows loopback addresses', () => {
    expect(['127.0.0.1', '127.1.2.3', '::1', 'localhost'].map(isLoopback)).toEqual([true, true, true, true]);
    expect(['0.0.0.0', '10.0.0.1', '::', 'example.com'].map(isLoopback)).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });

  it('serves metrics only when asked, on the address given by flag or environment', () => {
    expect(parseAgentConfig({}, {}).metricsAddress).toBeUndefined();
    expect(
      parseAgentConfig({}, { CHAOSFLOW_AGENT_METRICS_ADDRESS: '127.0.0.1:9465' }).metricsAddress,
    ).toEqual({ host: '127.0.0.1', port: 9465 });
    expect(() => parseAgentConfig({ metricsAddress: 'localhost' }, {})).toThrow(
      /--metrics-address must be HOST:PORT/,
    );
  });
});
