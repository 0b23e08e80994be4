/**
 * The agent's settings, parsed once from flags and environment into a frozen object. Flags win over the
 * environment; the environment over defaults. Every setting:
 *
 * | flag | environment | default | meaning |
 * |---|---|---|---|
 * | `--listen` | `CHAOSFLOW_AGENT_LISTEN` | `127.0.0.1:31767` | gRPC address (`host:port`, `[v6]:port`; port 0 = any free port) |
 * | `--ca` | `CHAOSFLOW_AGENT_CA` | — | CA that signs client certificates (turns mTLS on) |
 * | `--cert` | `CHAOSFLOW_AGENT_CERT` | — | the agent's certificate (PEM) |
 * | `--key` | `CHAOSFLOW_AGENT_KEY` | — | the agent's key (PEM) |
 * | `--state-dir` | `CHAOSFLOW_AGENT_STATE_DIR` | `/var/lib/chaosflow/agent` | journal folder |
 * | `--stress-ng` | `CHAOSFLOW_AGENT_STRESS_NG` | `stress-ng` (from PATH) | stress-ng executable |
 * | `--recover-all` | — | false | undo everything in the journal, then exit |
 * | `--recover-on-exit` | `CHAOSFLOW_AGENT_RECOVER_ON_EXIT=1` | false | undo everything on SIGINT/SIGTERM |
 * | `--allow-host-network` | `CHAOSFLOW_AGENT_ALLOW_HOST_NETWORK=1` | false | allow network faults in the agent's own network namespace |
 * | `--log-level` | `CHAOSFLOW_AGENT_LOG_LEVEL` | `info` | pino level |
 * | `--metrics-address` | `CHAOSFLOW_AGENT_METRICS_ADDRESS` | off | `HOST:PORT` of Prometheus `/metrics` (`agent/agent-metrics.ts`) |
 * | — | `CHAOSFLOW_AGENT_COMMAND_TIMEOUT_MS` | `20000` | timeout of each external command |
 *
 * TLS needs all three files; without them the agent serves plaintext and only on a loopback address.
 */
import { isIP } from 'node:net';
import {
  METRICS_ADDRESS_HINT,
  parseMetricsAddress,
  type MetricsAddress,
} from '../telemetry/metrics-address.js';
import { AgentConfigError } from './agent-error.js';

export interface AgentTlsFiles {
  readonly caFile: string;
  readonly certFile: string;
  readonly keyFile: string;
}

export interface AgentConfig {
  readonly listen: { readonly host: string; readonly port: number };
  readonly tls: AgentTlsFiles | undefined;
  readonly stateDir: string;
  readonly stressNgPath: string;
  readonly recoverAll: boolean;
  readonly recoverOnExit: boolean;
  readonly allowHostNetwork: boolean;
  readonly logLevel: string;
  readonly commandTimeoutMs: number;
  /** Where `/metrics` is served; undefined: nowhere. */
  readonly metricsAddress: MetricsAddress | undefined;
}

/** Flags as commander hands them over. */
export interface AgentFlags {
  readonly listen?: string;
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
  readonly stateDir?: string;
  readonly stressNg?: string;
  readonly recoverAll?: boolean;
  readonly recoverOnExit?: boolean;
  readonly allowHostNetwork?: boolean;
  readonly logLevel?: string;
  readonly metricsAddress?: string;
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
  const caFile = pick(flags.ca, 'CHAOSFLOW_AGENT_CA');
  const certFile = pick(flags.cert, 'CHAOSFLOW_AGENT_CERT');
  const keyFile = pick(flags.key, 'CHAOSFLOW_AGENT_KEY');
  const given = [caFile, certFile, keyFile].filter((v) => v !== undefined).length;
  if (given !== 0 && given !== 3) {
    throw new AgentConfigError(
      'mTLS needs all of --ca, --cert and --key (or CHAOSFLOW_AGENT_CA/_CERT/_KEY); only some were given',
    );
  }
  const tls = caFile && certFile && keyFile ? { caFile, certFile, keyFile } : undefined;
  if (!tls && !isLoopback(listen.host)) {
    throw new AgentConfigError(
      `refusing to serve plaintext gRPC on ${listen.host}:${listen.port}: anyone who reaches it could inject ` +
        'faults as root. Give --ca, --cert and --key for mTLS, or listen on a loopback address such as 127.0.0.1',
    );
  }
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
  return Object.freeze({
    listen: Object.freeze(listen),
    tls: tls ? Object.freeze(tls) : undefined,
    stateDir: pick(flags.stateDir, 'CHAOSFLOW_AGENT_STATE_DIR') ?? DEFAULT_AGENT_STATE_DIR,
    stressNgPath: pick(flags.stressNg, 'CHAOSFLOW_AGENT_STRESS_NG') ?? 'stress-ng',
    recoverAll: flags.recoverAll === true,
    recoverOnExit: flags.recoverOnExit === true || env['CHAOSFLOW_AGENT_RECOVER_ON_EXIT'] === '1',
    allowHostNetwork: flags.allowHostNetwork === true || env['CHAOSFLOW_AGENT_ALLOW_HOST_NETWORK'] === '1',
    logLevel,
    commandTimeoutMs,
    metricsAddress,
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
