import { DefaultLogger, type LogLevel } from '@temporalio/worker';
import type { Logger } from 'pino';

const LEVELS: Record<string, LogLevel> = {
  trace: 'TRACE',
  debug: 'DEBUG',
  info: 'INFO',
  warn: 'WARN',
  error: 'ERROR',
  fatal: 'ERROR',
  silent: 'ERROR',
};

/** The Temporal SDK's logger, writing through the process's pino logger (one JSON log stream per process). */
export function temporalLogger(logger: Logger): DefaultLogger {
  return new DefaultLogger(LEVELS[logger.level] ?? 'INFO', ({ level, message, meta }) => {
    const method =
      level === 'TRACE'
        ? 'trace'
        : level === 'DEBUG'
          ? 'debug'
          : level === 'INFO'
            ? 'info'
            : level === 'WARN'
              ? 'warn'
              : 'error';
    // pino serializes errors under `err`; the SDK puts them in `meta.error`. The run's ids go where chaosflow's
    // own activity lines put them (`workflowId`, `runId`), so one query finds every line of a run.
    const { error, ...rest } = (meta ?? {}) as Record<string, unknown>;
    const workflowId = rest['workflowId'];
    const runId = rest['runId'] ?? rest['workflowRunId'];
    logger[method](
      {
        ...(workflowId === undefined ? {} : { workflowId }),
        ...(runId === undefined ? {} : { runId }),
        temporal: rest,
        ...(error === undefined ? {} : { err: error }),
      },
      message,
    );
  });
}
