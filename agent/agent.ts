/**
 * Assembles the agent from its config: command runner, journal, stress-ng manager, netem probe (run on first
 * need), the gRPC service and server. `Agent.start` reconciles the journal before it serves (entries whose
 * target is gone are reverted); `stop` stops accepting calls, waits for those in flight, and leaves injected
 * faults in place unless asked to recover them (the journal keeps what a later `--recover-all` needs).
 */
import { agentExtensionsProto } from '../proto/agent-extensions-proto.js';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { createMetricRegistry } from '../telemetry/metric-registry.js';
import { startMetricsServer, type MetricsServer } from '../telemetry/metrics-server.js';
import { ensureAgentCertificates, type AgentCertificates } from './agent-certificates.js';
import { AgentMetrics } from './agent-metrics.js';
import { startAgentServer, serverCredentials, type AgentServer } from './agent-server.js';
import type { ClientAccess } from './client-identity.js';
import { createCommandRunner } from './command-runner.js';
import type { AgentConfig } from './config.js';
import { createDaemonService } from './daemon-service.js';
import { createExtensionService } from './extension-service.js';
import type { FaultContext } from './fault-context.js';
import { probeIoSupport, type IoSupport } from './io-support.js';
import { Journal } from './journal.js';
import { KeyedLock } from './keyed-lock.js';
import { LeaseBook } from './lease-book.js';
import { NetworkBaselines } from './network-baselines.js';
import { CgroupBaselines } from './cgroup-baselines.js';
import { createLeaseService } from './lease-service.js';
import { agentLeasesProto } from '../proto/agent-leases-proto.js';
import { probeNetem } from './netem-probe.js';
import { mntnsOf } from './mount-namespaces.js';
import { netnsOf } from './process-info.js';
import { reconcile, recoverAll, type RecoveryReport } from './recovery.js';
import { StressInstances } from './stress-instances.js';
import type { NetemSupport } from './tc-plan.js';

export async function createFaultContext(config: AgentConfig, logger: Logger): Promise<FaultContext> {
  const runner = createCommandRunner(logger, config.commandTimeoutMs);
  const journal = await Journal.open(config.stateDir, (file, reason) =>
    logger.error({ file, reason }, 'unreadable journal entry skipped'),
  );
  let netem: Promise<NetemSupport> | undefined;
  let io: Promise<IoSupport> | undefined;
  return {
    runner,
    journal,
    logger,
    stress: new StressInstances(runner, logger, config.stressNgPath, join(config.stateDir, 'stress')),
    netemSupport: () => (netem ??= probeNetem(runner, logger)),
    agentNetns: await netnsOf(process.pid),
    allowHostNetwork: config.allowHostNetwork,
    iofsPath: config.iofsPath,
    ioSupport: () => (io ??= probeIoSupport(config.iofsPath)),
    agentMntns: await mntnsOf(process.pid),
  };
}

export class Agent {
  private constructor(
    private readonly ctx: FaultContext,
    private readonly server: AgentServer,
    private readonly locks: KeyedLock,
    /** The leases of the faults it holds. */
    readonly leases: LeaseBook,
    /** What the start-up reconcile did. */
    readonly startupReport: RecoveryReport,
    private readonly metricsServer: MetricsServer | undefined,
    /** The certificates the agent generated for itself (default transport); undefined otherwise. */
    readonly certificates: AgentCertificates | undefined,
  ) {}

  /**
   * `metrics`: where to record (the embedded stack shares its worker's registry); by default the agent has its
   * own registry, served on `config.metricsAddress` when that is set.
   */
  static async start(config: AgentConfig, logger: Logger, metrics?: AgentMetrics): Promise<Agent> {
    const ctx = await createFaultContext(config, logger);
    const agentMetrics =
      metrics ??
      new AgentMetrics(createMetricRegistry({ processMetrics: config.metricsAddress !== undefined }));
    agentMetrics.watch(ctx.journal);
    const report = await reconcile(ctx, logger);
    const orphans = await ctx.stress.stopOrphans(liveStressorUids(ctx));
    if (orphans.length > 0) {
      logger.warn(
        { pids: orphans },
        'stress-ng instances no journal entry owns (an earlier agent was killed starting them): stopped',
      );
    }
    const swept = await ctx.stress.sweepScratch(liveStressorUids(ctx));
    logger.info(
      {
        reverted: report.reverted.length,
        kept: report.kept.length,
        failed: report.failed.length,
        scratchRemoved: swept,
      },
      'journal reconciled',
    );
    const locks = new KeyedLock();
    const baselines = await NetworkBaselines.open(config.stateDir, ctx.runner, ctx.journal, logger);
    const cgroups = await CgroupBaselines.open(config.stateDir, ctx.journal, logger);
    const leases = await LeaseBook.open(ctx, locks, config.stateDir, config.leaseMs, logger, {
      network: baselines,
      cgroups,
    });
    const expired = await leases.expireDue();
    if (expired.length > 0) {
      logger.warn({ keys: expired }, 'leases that ran out while the agent was down: faults recovered');
    }
    const transport = config.transport;
    let certificates: AgentCertificates | undefined;
    if (transport.kind === 'mtls' && transport.source === 'generated') {
      const ensured = await ensureAgentCertificates(config.stateDir);
      certificates = ensured.paths;
      if (ensured.generated) logger.info({ dir: ensured.paths.dir }, 'agent certificates generated');
    }
    const access: ClientAccess =
      transport.kind === 'mtls' ? { kind: 'named', names: transport.allowClients } : { kind: 'anyone' };
    const server = await startAgentServer(
      config.listen,
      await serverCredentials(transport),
      createDaemonService(ctx, locks, access, (rpc, code, seconds) => agentMetrics.rpc(rpc, code, seconds), {
        leases,
        baselines,
        cgroups,
        journal: ctx.journal,
      }),
      [
        {
          definition: agentLeasesProto().service,
          implementation: createLeaseService(leases, access, logger),
        },
        {
          definition: agentExtensionsProto().service,
          implementation: createExtensionService(ctx, locks, access, { leases }),
        },
      ],
    ).catch((err: unknown) => {
      leases.stop();
      throw err;
    });
    if (transport.kind === 'plaintext') {
      logger.warn(
        { address: server.address },
        'agent serving plaintext without authentication: every local user can command it',
      );
    }
    const metricsServer = config.metricsAddress
      ? await startMetricsServer({
          address: config.metricsAddress,
          registry: agentMetrics.registry,
          logger,
        }).catch(async (err: unknown) => {
          await server.shutdown(0);
          throw err;
        })
      : undefined;
    logger.info(
      {
        address: server.address,
        transport: transport.kind === 'mtls' ? `mtls (${transport.source} certificates)` : 'plaintext',
        ...(transport.kind === 'mtls' ? { allowClients: transport.allowClients } : {}),
        ...(certificates ? { clientTlsDir: join(certificates.dir, 'client') } : {}),
        stateDir: config.stateDir,
        lease: config.leaseMs === 0 ? 'off' : `${config.leaseMs}ms`,
      },
      'agent listening',
    );
    return new Agent(ctx, server, locks, leases, report, metricsServer, certificates);
  }

  get address(): string {
    return this.server.address;
  }

  get port(): number {
    return this.server.port;
  }

  /** The `/metrics` URL, when `metricsAddress` is set. */
  get metricsUrl(): string | undefined {
    return this.metricsServer?.url;
  }

  /** Stops serving; with `recover`, then reverts everything in the journal. */
  async stop(options: { recover?: boolean; graceMs?: number } = {}): Promise<RecoveryReport | undefined> {
    await this.server.shutdown(options.graceMs);
    this.leases.stop();
    await this.locks.drain();
    await this.metricsServer?.close();
    this.ctx.logger.info({ recover: options.recover === true }, 'agent stopped serving');
    return options.recover ? recoverAll(this.ctx, this.ctx.logger) : undefined;
  }
}

/** `chaosflow agent --recover-all`: reverts every journal entry without serving. */
export async function recoverJournal(config: AgentConfig, logger: Logger): Promise<RecoveryReport> {
  const ctx = await createFaultContext(config, logger);
  const report = await recoverAll(ctx, logger);
  const orphans = await ctx.stress.stopOrphans(liveStressorUids(ctx));
  if (orphans.length > 0) logger.info({ pids: orphans }, 'unjournaled stress-ng instances stopped');
  await ctx.stress.sweepScratch(liveStressorUids(ctx));
  await ctx.journal.close();
  return report;
}

/** Uids of the stress instances the journal still holds (their scratch folders stay). */
function liveStressorUids(ctx: FaultContext): Set<string> {
  return new Set(ctx.journal.entries().flatMap((e) => (e.stressors ?? []).map((i) => i.uid)));
}
