/**
 * The embedded default: a local Temporal dev server (state in a SQLite file, Web UI), the chaosflow agent for
 * this host (when root), and a chaosflow worker whose targets come from a host inventory file — everything a
 * game day needs on one machine without Kubernetes. Used by `chaosflow dev`, the README demo and e2e tests.
 *
 * The agent serves mutual TLS with the certificates it generates in `<dataDir>/agent/tls/` (0600, root's); the
 * default inventory points the worker at its client certificate (`agentClientTls`), so no other local user can
 * command the agent. The worker runs Tasks and Command probes as its `runAs` user (`nobody` when root).
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { agentCertificatePaths } from '../agent/agent-certificates.js';
import { Agent } from '../agent/agent.js';
import { AgentMetrics } from '../agent/agent-metrics.js';
import { createMetricRegistry } from '../telemetry/metric-registry.js';
import { parseAgentConfig } from '../agent/config.js';
import { parseWorkerConfig } from '../worker/config.js';
import { buildActivityDeps } from '../worker/activity-deps.js';
import { startWorker, type RunningWorker } from '../worker/run-worker.js';
import { TemporalDevServer } from './temporal-dev-server.js';

export interface DevStackOptions {
  /** `temporal` CLI binary. */
  temporalExecutable: string;
  /** Holds `temporal/` (SQLite, log), `agent/` (journal) and `inventory.yaml`. */
  dataDir: string;
  /** gRPC port of the dev server; default 7233. 0 picks a free one. */
  port?: number;
  /** Web UI port; default port + 1000; `false` for none. */
  uiPort?: number | false;
  /** Agent gRPC address; default 127.0.0.1:31767 (port 0 picks a free one); `false` for no agent. */
  agentListen?: string | false;
  /** Inventory file; default `<dataDir>/inventory.yaml`, created with the local node when missing. */
  inventoryFile?: string;
  taskQueue?: string;
  /** User that Tasks and Command probes run as (name or uid[:gid]); default `nobody` when root. */
  runAs?: string;
  /** The worker's Prometheus, for Prometheus probes and stop conditions without an endpoint. */
  prometheusUrl?: string;
  /** `HOST:PORT` of one `/metrics` for the worker, the agent and the Temporal SDK; default none. */
  metricsAddress?: string;
  logger: Logger;
}

/** The client certificate files of the embedded agent (what an inventory's `daemon.tls` names). */
export function agentClientTls(dataDir: string): { caFile: string; certFile: string; keyFile: string } {
  return agentCertificatePaths(join(dataDir, 'agent')).client;
}

export interface DevStack {
  temporal: TemporalDevServer;
  agent: Agent | undefined;
  worker: RunningWorker;
  inventoryFile: string;
  /** Address of the agent, for inventories. */
  agentAddress: string | undefined;
  stop(): Promise<void>;
}

export async function startDevStack(options: DevStackOptions): Promise<DevStack> {
  const { dataDir, logger } = options;
  await mkdir(dataDir, { recursive: true });
  const port = options.port ?? 7233;
  const temporal = await TemporalDevServer.start({
    executable: options.temporalExecutable,
    dataDir: join(dataDir, 'temporal'),
    persist: true,
    ...(port === 0 ? {} : { port }),
    ...(options.uiPort === false ? {} : { uiPort: options.uiPort ?? (port === 0 ? 8233 : port + 1000) }),
  });
  const stops: (() => Promise<unknown>)[] = [() => temporal.stop()];
  const stopAll = async () => {
    for (const stop of stops.reverse())
      await stop().catch((err: unknown) => logger.error({ err }, 'stop failed'));
  };
  // One registry for the agent and the worker, served by the worker.
  const registry = createMetricRegistry({ processMetrics: options.metricsAddress !== undefined });
  try {
    let agent: Agent | undefined;
    if (options.agentListen !== false) {
      const agentConfig = parseAgentConfig(
        { listen: options.agentListen ?? '127.0.0.1:31767', stateDir: join(dataDir, 'agent') },
        {},
      );
      agent = await Agent.start(
        agentConfig,
        logger.child({ component: 'agent' }),
        new AgentMetrics(registry),
      );
      stops.push(() => agent!.stop());
    }
    const agentAddress = agent ? `127.0.0.1:${agent.port}` : undefined;
    const inventoryFile = options.inventoryFile ?? join(dataDir, 'inventory.yaml');
    if (!existsSync(inventoryFile)) {
      await writeFile(
        inventoryFile,
        defaultInventory(agentAddress, agent ? agentClientTls(dataDir) : undefined),
      );
    }
    const config = parseWorkerConfig(
      {
        address: temporal.address,
        namespace: temporal.namespace,
        inventory: inventoryFile,
        ...(options.taskQueue ? { taskQueue: options.taskQueue } : {}),
        ...(options.prometheusUrl ? { prometheusUrl: options.prometheusUrl } : {}),
        registerSearchAttributes: false,
        shutdownGrace: '10000',
        ...(options.runAs ? { runAs: options.runAs } : {}),
        ...(options.metricsAddress ? { metricsAddress: options.metricsAddress } : {}),
      },
      {},
    );
    const worker = await startWorker(config, logger.child({ component: 'worker' }), buildActivityDeps, {
      registry,
    });
    stops.push(() => worker.stop());
    return { temporal, agent, worker, inventoryFile, agentAddress, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/**
 * An inventory with this host as node `local`, served by the embedded agent, and `pods` (YAML flow mappings, one
 * per pod; none by default).
 */
export function defaultInventory(
  agentAddress: string | undefined,
  tls?: { caFile: string; certFile: string; keyFile: string },
  pods: readonly string[] = [],
): string {
  return [
    '# chaosflow host inventory (see activities/targets/README.md): the processes chaos may target.',
    'apiVersion: chaosflow.dev/v1alpha1',
    'kind: Inventory',
    'nodes:',
    '  - name: local',
    '    daemon:',
    `      address: ${agentAddress ?? '127.0.0.1:31767'}`,
    ...(tls
      ? [
          '      tls: # the client certificate of the embedded agent (readable by root only)',
          `        caFile: ${JSON.stringify(tls.caFile)}`,
          `        certFile: ${JSON.stringify(tls.certFile)}`,
          `        keyFile: ${JSON.stringify(tls.keyFile)}`,
        ]
      : []),
    ...(pods.length ? ['pods:', ...pods.map((pod) => `  - ${pod}`)] : ['pods: []']),
    '',
  ].join('\n');
}
