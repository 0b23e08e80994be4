/**
 * The agent process: creates the logger (pino, JSON on stderr), then either recovers the journal and exits
 * (`--recover-all`) or serves until SIGINT/SIGTERM. On a signal it stops accepting calls and waits for those in
 * flight; injected faults stay in place (the workflows that own them recover them, and the journal allows a
 * later `--recover-all`) unless `--recover-on-exit` was given. Returns the process exit code.
 */
import { pino, type Logger } from 'pino';
import { Agent, recoverJournal } from './agent.js';
import type { AgentConfig } from './config.js';
import type { RecoveryReport } from './recovery.js';

export function agentLogger(level: string): Logger {
  return pino({ level, base: { component: 'chaosflow-agent', pid: process.pid } }, pino.destination(2));
}

export async function runAgent(
  config: AgentConfig,
  logger: Logger = agentLogger(config.logLevel),
): Promise<number> {
  if (config.recoverAll) {
    const report = await recoverJournal(config, logger);
    logReport(logger, report);
    return report.failed.length === 0 ? 0 : 1;
  }
  // Listen before starting, so that a signal during start-up also ends in a clean stop. Later signals are
  // logged, not obeyed: a second SIGTERM (a supervisor's, or the parent-death signal again) must not kill the
  // agent in the middle of the recovery it is doing on the way out.
  let stopping = false;
  const signalled = new Promise<NodeJS.Signals>((resolve) => {
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) logger.warn({ signal }, 'already stopping: the recovery finishes first');
      stopping = true;
      resolve(signal);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  const agent = await Agent.start(config, logger);
  const signal = await signalled;
  logger.info({ signal, recoverOnExit: config.recoverOnExit }, 'agent stopping');
  const report = await agent.stop({ recover: config.recoverOnExit });
  if (report) logReport(logger, report);
  return report && report.failed.length > 0 ? 1 : 0;
}

function logReport(logger: Logger, report: RecoveryReport): void {
  logger.info({ reverted: report.reverted, failed: report.failed }, 'journal recovered');
}
