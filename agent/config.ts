/**
 * The agent's settings, parsed once from flags and environment into a frozen object. Flags win over the
 * environment; the environment over defaults. Every setting:
 *
 * | flag | environment | default | meaning |
 * |---|---|---|---|
 * | `--listen` | `CHAOSFLOW_AGENT_LISTEN` | `127.0.0.1:31767` | gRPC address (`host:port`, `[v6]:port`; port 0 = any free port) |
 * | `--ca` | `CHAOSFLOW_AGENT_CA` | generated | CA that signs client certificates |
 * | `--cert` | `CHAOSFLOW_AGENT_CERT` | generated | the agent's certificate (PEM) |
 * | `--key` | `CHAOSFLOW_AGENT_KEY` | generated | the agent's key (PEM) |
 * | `--allow-client` (repeatable) | `CHAOSFLOW_AGENT_ALLOW_CLIENTS` (comma-separated) | `chaosflow-worker` | client certificate names (CN or DNS SAN) the agent obeys |
 * | `--insecure-plaintext-loopback` | `CHAOSFLOW_AGENT_INSECURE_PLAINTEXT_LOOPBACK=1` | false | serve plaintext without authentication (loopback only) |
 * | `--state-dir` | `CHAOSFLOW_AGENT_STATE_DIR` | `/var/lib/chaosflow/agent` | journal folder |
 * | `--stress-ng` | `CHAOSFLOW_AGENT_STRESS_NG` | `stress-ng` (from PATH) | stress-ng executable |
 * | `--iofs` | `CHAOSFLOW_AGENT_IOFS` | `chaosflow-iofs` (from PATH) | chaosflow-iofs executable, IOChaos's FUSE file system (`scripts/tools/install.sh iofs` links it as `<tools>/bin/chaosflow-iofs`) |
 * | `--recover-all` | — | false | undo everything in the journal, then exit |
 * | `--recover-on-exit` | `CHAOSFLOW_AGENT_RECOVER_ON_EXIT=1` | false | undo everything on SIGINT/SIGTERM |
 * | `--allow-host-network` | `CHAOSFLOW_AGENT_ALLOW_HOST_NETWORK=1` | false | allow network faults in the agent's own network namespace |
 * | `--log-level` | `CHAOSFLOW_AGENT_LOG_LEVEL` | `info` | pino level |
 * | `--metrics-address` | `CHAOSFLOW_AGENT_METRICS_ADDRESS` | off | `HOST:PORT` of Prometheus `/metrics` (`agent/agent-metrics.ts`) |
 * | — | `CHAOSFLOW_AGENT_COMMAND_TIMEOUT_MS` | `20000` | timeout of each external command |
 * | `--lease` | `CHAOSFLOW_AGENT_LEASE` | `60s` | lease of each fault applied with a `chaosflow-fault-key` (1s-24h; `0`: no leases); an inject's `chaosflow-lease` metadata overrides it (`lease-book.ts`) |
 *
 * The transport is mutual TLS. With none of `--ca/--cert/--key` the agent uses the certificates it generates in
 * `<state dir>/tls/` (`agent-certificates.ts`); with them, all three must be given. Either way only clients
 * whose certificate names an allowed client are served. Plaintext, which lets every local user command the
 * agent (and so act as root), needs `--insecure-plaintext-loopback` and a loopback address.
 */
import { accessSync, constants } from 'node:fs';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { GENERATED_CLIENT_NAME, agentCertificatePaths } from './agent-certificates.js';
import {
  METRICS_ADDRESS_HINT,
  parseMetricsAddress,
  type MetricsAddress,
} from '../telemetry/metrics-address.js';
import { AgentConfigError } from './agent-error.js';
import { DEFAULT_LEASE_MS, parseLeaseDuration } from './lease-duration.js';

export interface AgentTlsFiles {
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
}

/** How the agent is reached, and whom it obeys. */
export type AgentTransport =
  | {
      readonly kind: 'mtls';
      /** `generated`: the files are the agent's own (`<state dir>/tls/server`), made on first start. */
      readonly source: 'given' | 'generated';
      readonly files: AgentTlsFiles;
      /** Names (certificate CN or DNS SAN) of the clients the agent serves. */
      readonly allowClients: readonly string[];
    }
  | { readonly kind: 'plaintext' };

export interface AgentConfig {
  readonly listen: { readonly host: string; readonly port: number };
  readonly transport: AgentTransport;
  readonly stateDir: string;
  readonly stressNgPath: string;
  readonly iofsPath: string;
  readonly recoverAll: boolean;
  readonly recoverOnExit: boolean;
  readonly allowHostNetwork: boolean;
  readonly logLevel: string;
  readonly commandTimeoutMs: number;
  /** Where `/metrics` is served; undefined: nowhere. */
  readonly metricsAddress: MetricsAddress | undefined;
  /** Lease of each fault applied with a fault key, in ms; 0: no leases. */
  readonly leaseMs: number;
}

/** Flags as commander hands them over. */
export interface AgentFlags {
  readonly listen?: string;
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly allowClient?: readonly string[];
  readonly insecurePlaintextLoopback?: boolean;
  readonly stateDir?: string;
  readonly stressNg?: string;
  readonly iofs?: string;
  readonly recoverAll?: boolean;
  readonly recoverOnExit?: boolean;
  readonly allowHostNetwork?: boolean;
  readonly logLevel?: string;
  readonly metricsAddress?: string;
  readonly lease?: string;
}

export type AgentEnvironment = Readonly<Record<string, string | undefined>>;

export const DEFAULT_AGENT_LISTEN = '127.0.0.1:31767';
export const DEFAULT_AGENT_STATE_DIR = '/var/lib/chaosflow/agent';
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function parseAgentConfig(flags: AgentFlags, env: AgentEnvironment): AgentConfig {
  const pick = (flag: string | undefined, name: string): string | undefined => {
    const value = flag ?? env[name];
    return value === undefined || value === '' ? undefined : value;
  };
  const listen = parseListen(pick(flags.listen, 'CHAOSFLOW_AGENT_LISTEN') ?? DEFAULT_AGENT_LISTEN);
  const stateDir = pick(flags.stateDir, 'CHAOSFLOW_AGENT_STATE_DIR') ?? DEFAULT_AGENT_STATE_DIR;
  const transport = parseTransport(flags, env, pick, listen, stateDir);
  const logLevel = pick(flags.logLevel, 'CHAOSFLOW_AGENT_LOG_LEVEL') ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new AgentConfigError(`--log-level must be one of ${LOG_LEVELS.join(', ')}, not "${logLevel}"`);
  }
  const timeoutText = env['CHAOSFLOW_AGENT_COMMAND_TIMEOUT_MS'] ?? '20000';
  const commandTimeoutMs = Number(timeoutText);
  if (!Number.isInteger(commandTimeoutMs) || commandTimeoutMs < 100) {
    throw new AgentConfigError(
      `CHAOSFLOW_AGENT_COMMAND_TIMEOUT_MS must be an integer >= 100, not "${timeoutText}"`,
    );
  }
  const metricsText = pick(flags.metricsAddress, 'CHAOSFLOW_AGENT_METRICS_ADDRESS');
  const metricsAddress = metricsText === undefined ? undefined : parseMetricsAddress(metricsText);
  if (metricsText !== undefined && !metricsAddress) {
    throw new AgentConfigError(`--metrics-address ${METRICS_ADDRESS_HINT}, not "${metricsText}"`);
  }
  const leaseText = pick(flags.lease, 'CHAOSFLOW_AGENT_LEASE');
  let leaseMs = DEFAULT_LEASE_MS;
  if (leaseText !== undefined && leaseText.trim() !== '0') {
    const parsed = parseLeaseDuration(leaseText);
    if (typeof parsed === 'string') {
      throw new AgentConfigError(`--lease (or CHAOSFLOW_AGENT_LEASE): ${parsed}; or 0 for no leases`, {
        setting: 'lease',
      });
    }
    leaseMs = parsed;
  } else if (leaseText !== undefined) {
    leaseMs = 0;
  }
  return Object.freeze({
    leaseMs,
    listen: Object.freeze(listen),
    transport,
    stateDir,
    stressNgPath: pick(flags.stressNg, 'CHAOSFLOW_AGENT_STRESS_NG') ?? 'stress-ng',
    iofsPath: resolveExecutable(pick(flags.iofs, 'CHAOSFLOW_AGENT_IOFS') ?? 'chaosflow-iofs', env['PATH']),
    recoverAll: flags.recoverAll === true,
    recoverOnExit: flags.recoverOnExit === true || env['CHAOSFLOW_AGENT_RECOVER_ON_EXIT'] === '1',
    allowHostNetwork: flags.allowHostNetwork === true || env['CHAOSFLOW_AGENT_ALLOW_HOST_NETWORK'] === '1',
    logLevel,
    commandTimeoutMs,
    metricsAddress,
  });
}

/**
 * A command name looked up on PATH (the first folder holding it), as the agent opens the file itself rather
 * than having a shell find it; a path (with a slash) is kept as given.
 */
function resolveExecutable(name: string, path: string | undefined): string {
  if (name.includes('/')) return name;
  for (const dir of (path ?? '').split(':')) {
    if (dir === '') continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  return name;
}

/** A client name: a DNS name or a CN of printable characters, at most 253. */
const CLIENT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/;

function parseTransport(
  flags: AgentFlags,
  env: AgentEnvironment,
  pick: (flag: string | undefined, name: string) => string | undefined,
  listen: { host: string; port: number },
  stateDir: string,
): AgentTransport {
  const caFile = pick(flags.ca, 'CHAOSFLOW_AGENT_CA');
  const certFile = pick(flags.cert, 'CHAOSFLOW_AGENT_CERT');
  const keyFile = pick(flags.key, 'CHAOSFLOW_AGENT_KEY');
  const given = [caFile, certFile, keyFile].filter((v) => v !== undefined).length;
  const plaintext =
    flags.insecurePlaintextLoopback === true || env['CHAOSFLOW_AGENT_INSECURE_PLAINTEXT_LOOPBACK'] === '1';
  const allowText = flags.allowClient ?? env['CHAOSFLOW_AGENT_ALLOW_CLIENTS']?.split(',');
  const allowClients = (allowText ?? []).map((n) => n.trim()).filter(Boolean);
  if (plaintext) {
    if (given > 0 || allowClients.length > 0) {
      throw new AgentConfigError(
        '--insecure-plaintext-loopback serves no TLS and checks no client, so it cannot be combined with ' +
          '--ca, --cert, --key or --allow-client; drop one or the other',
        { setting: 'insecure-plaintext-loopback' },
      );
    }
    if (!isLoopback(listen.host)) {
      throw new AgentConfigError(
        `refusing to serve plaintext gRPC on ${listen.host}:${listen.port}: anyone who reaches it could inject ` +
          'faults as root. Drop --insecure-plaintext-loopback (mutual TLS is the default), or listen on a ' +
          'loopback address such as 127.0.0.1',
        { setting: 'listen' },
      );
    }
    return Object.freeze({ kind: 'plaintext' });
  }
  if (given !== 0 && given !== 3) {
    throw new AgentConfigError(
      'mTLS with your own certificates needs all of --ca, --cert and --key (or CHAOSFLOW_AGENT_CA/_CERT/_KEY); ' +
        'only some were given. Give none of them to use the certificates the agent generates in its state dir',
      { setting: 'ca' },
    );
  }
  for (const name of allowClients) {
    if (!CLIENT_NAME.test(name)) {
      throw new AgentConfigError(
        `--allow-client ${JSON.stringify(name.slice(0, 80))} is not a certificate name: use the CN or a DNS ` +
          'name of the client certificate, such as chaosflow-worker or controller-manager.chaos-mesh.org',
        { setting: 'allow-client' },
      );
    }
  }
  const files =
    caFile && certFile && keyFile ? { caFile, certFile, keyFile } : agentCertificatePaths(stateDir).server;
  return Object.freeze({
    kind: 'mtls',
    source: given === 3 ? 'given' : 'generated',
    files: Object.freeze({ caFile: files.caFile, certFile: files.certFile, keyFile: files.keyFile }),
    allowClients: Object.freeze(
      allowClients.length > 0 ? [...new Set(allowClients)] : [GENERATED_CLIENT_NAME],
    ),
  });
}

function parseListen(text: string): { host: string; port: number } {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):(\d{1,5})$/.exec(text);
  const host = match?.[1] ?? match?.[2];
  const port = Number(match?.[3]);
  if (!match || host === undefined || port > 65535) {
    throw new AgentConfigError(
      `--listen must be host:port (e.g. 127.0.0.1:31767 or [::1]:31767), not "${text}"`,
    );
  }
  return { host, port };
}

/** 127.0.0.0/8, ::1 and `localhost`. */
export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  if (isIP(host) === 6) return host === '::1' || host === '0:0:0:0:0:0:0:1';
  return false;
}
