/**
 * `chaosflow run FILE`: compiles a Workflow (or a single chaos manifest), starts it on the chaosflow worker and
 * follows it with a live node tree. Exit 0 only when the run Succeeded. Ctrl-C aborts the run — every injected
 * fault is recovered — and waits for it; a second Ctrl-C leaves it recovering on the server.
 */
import { errorMessage } from '../../common/errors/chaosflow-error.js';
import type { Command } from 'commander';
import { CliError } from '../cli-error.js';
import { interactive, temporalConfig, withTemporalOptions } from '../config.js';
import { EXIT } from '../exit-codes.js';
import { outputOption, type OutputFormat } from '../output/output-format.js';
import { renderJson, renderYaml } from '../output/render-data.js';
import type { RunHandle } from '../../client/start-run.js';
import type { TemporalFlags } from '../../client/temporal-config.js';

interface RunOptions extends TemporalFlags {
  detach?: boolean;
  id?: string;
  name?: string;
  output: OutputFormat;
  /** A file, or false for `--no-report`; absent means the default file. */
  report?: string | false;
}

export function register(program: Command): void {
  withTemporalOptions(
    program
      .command('run')
      .description('run a Workflow or chaos manifest as a durable Temporal workflow and follow it')
      .argument('<file>', 'YAML file with the manifest')
      .option('-d, --detach', 'start the run and return its id without following it')
      .option(
        '--id <workflowId>',
        'workflow id of the run (default: chaosflow/<namespace>/<name>/<time>-<random>)',
      )
      .option('--name <name>', 'which manifest of the file to run, when it holds several')
      .option(
        '--report <file>',
        'where to write the report when the run ends (.html, .md or .json; default: ' +
          'chaosflow-report-<namespace>-<name>-<time>.html in the current folder)',
      )
      .option('--no-report', 'write no report')
      .addOption(outputOption()),
  ).action(async (file: string, options: RunOptions) => {
    process.exitCode = await runAction(file, options);
  });
}

async function runAction(file: string, options: RunOptions): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const { readManifestText, formatManifestErrors } = await import('../../manifests/index.js');
  const text = await readFile(file, 'utf8').catch((err: unknown) => {
    throw new CliError(`cannot read ${file}: ${errorMessage(err)}`);
  });
  const result = readManifestText(text, file);
  if (result.errors.length > 0) {
    process.stderr.write(formatManifestErrors(result.errors));
    return EXIT.failed;
  }
  const plans = options.name ? result.plans.filter((p) => p.source.name === options.name) : result.plans;
  if (plans.length !== 1) {
    const names = result.plans.map((p) => p.source.name).join(', ') || 'none';
    const schedules = result.schedulePlans.length ? ' (Schedules run with `chaosflow schedule apply`)' : '';
    throw new CliError(
      plans.length === 0
        ? `${file} has no runnable Workflow or chaos manifest${options.name ? ` named '${options.name}'` : ''}${schedules}; runnable: ${names}`
        : `${file} holds ${plans.length} runnable manifests (${names}); choose one with --name`,
      EXIT.usage,
    );
  }
  const plan = plans[0]!;
  const { connectClient } = await import('../../client/connect.js');
  const { startRun } = await import('../../client/start-run.js');
  const config = temporalConfig(options);
  const client = await connectClient(config).catch((err: unknown) => {
    throw new CliError(errorMessage(err), EXIT.unavailable);
  });
  const { HaltedError } = await import('../../client/halt.js');
  const handle = await startRun(client, {
    plan,
    taskQueue: config.taskQueue,
    manifest: text,
    ...(options.id ? { workflowId: options.id } : {}),
  }).catch((err: unknown) => {
    throw err instanceof HaltedError ? new CliError(`refused: ${err.message}`, EXIT.failed) : err;
  });
  process.stderr.write(
    `started ${handle.workflowId} (${plan.source.kind} ${plan.source.namespace}/${plan.source.name})\n`,
  );
  if (options.detach) {
    process.stdout.write(`${handle.workflowId}\n`);
    return EXIT.ok;
  }

  const { abortSignal } = await import('../../workflows/messages.js');
  const { followRun } = await import('../live-run-view.js');
  let interrupts = 0;
  const onInterrupt = () => {
    interrupts += 1;
    if (interrupts > 1) {
      process.stderr.write(`\nleft ${handle.workflowId} recovering its faults on the server\n`);
      process.exit(EXIT.interrupted);
    }
    process.stderr.write('\naborting: recovering every injected fault (Ctrl-C again to stop waiting)\n');
    void handle.signal(abortSignal, { reason: 'interrupted in chaosflow run' }).catch(() => undefined);
  };
  process.on('SIGINT', onInterrupt);
  process.on('SIGTERM', onInterrupt);
  const table = options.output === 'table';
  const status = await followRun(handle, {
    out: table ? process.stdout : process.stderr,
    redraw: table && interactive(process.stdout),
  });
  process.off('SIGINT', onInterrupt);
  process.off('SIGTERM', onInterrupt);
  if (!status) throw new CliError(`run ${handle.workflowId} ended without a status (terminated?)`);
  if (options.output === 'json') process.stdout.write(renderJson(status));
  if (options.output === 'yaml') process.stdout.write(renderYaml([status]));
  process.stderr.write(`run ${status.phase}: ${handle.workflowId}\n`);
  if (options.report !== false) await writeRunReport(handle, options.report);
  if (interrupts > 0) return EXIT.interrupted;
  return status.phase === 'Succeeded' ? EXIT.ok : EXIT.failed;
}

/** Writes the ended run's report and says where; a report that cannot be written is a warning, not a failure. */
async function writeRunReport(handle: RunHandle, file: string | undefined): Promise<void> {
  const { loadRunReport } = await import('../../client/run-report.js');
  const { formatOfPath, renderReport } = await import('../../report/report-format.js');
  const { defaultReportPath, writeReportFile } = await import('../report-file.js');
  const target = file ?? defaultReportPath(handle.workflowId);
  try {
    const report = await loadRunReport(handle);
    const path = await writeReportFile(target, renderReport(report, formatOfPath(target)));
    process.stderr.write(`report: ${path}\n`);
  } catch (err) {
    process.stderr.write(`chaosflow: could not write the report to ${target}: ${errorMessage(err)}\n`);
  }
}
