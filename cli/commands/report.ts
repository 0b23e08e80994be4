/**
 * `chaosflow report RUN [-o html|md|json] [--out FILE]`: the run's report — a self-contained HTML page with an
 * SVG timeline, or the same facts as Markdown or JSON. Written to FILE (the format then defaults to the file's
 * extension) or to stdout. Works on running and closed runs; no worker is needed once a run has closed.
 */
import { Option, type Command } from 'commander';
import type { TemporalFlags } from '../../client/temporal-config.js';
import { errorMessage } from '../../common/errors/chaosflow-error.js';
import { CliError } from '../cli-error.js';
import { withTemporalOptions } from '../config.js';
import { EXIT } from '../exit-codes.js';
import { openRun } from '../open-run.js';

interface ReportOptions extends TemporalFlags {
  output?: 'html' | 'md' | 'json';
  out?: string;
}

export function register(program: Command): void {
  withTemporalOptions(
    program
      .command('report')
      .description('write the report of a run: timeline, fault ledger, probes, verdict and resilience score')
      .argument('<run>', 'workflow id, or namespace/name of a manifest (its newest run)')
      .addOption(
        new Option('-o, --output <format>', 'report format (default: from --out, else html)').choices([
          'html',
          'md',
          'json',
        ]),
      )
      .option('--out <file>', 'write the report to this file instead of stdout'),
  ).action(async (ref: string, options: ReportOptions) => {
    const handle = await openRun(ref, options);
    const { loadRunReport } = await import('../../client/run-report.js');
    const { formatOfPath, renderReport } = await import('../../report/report-format.js');
    const report = await loadRunReport(handle).catch((err: unknown) => {
      throw new CliError(`cannot read run ${handle.workflowId}: ${errorMessage(err)}`);
    });
    const format = options.output ?? (options.out ? formatOfPath(options.out) : 'html');
    const text = renderReport(report, format);
    if (options.out) {
      const { writeReportFile } = await import('../report-file.js');
      const path = await writeReportFile(options.out, text);
      process.stderr.write(`report of ${handle.workflowId} (${report.run.phase}): ${path}\n`);
    } else {
      process.stdout.write(text);
    }
    process.exitCode = EXIT.ok;
  });
}
