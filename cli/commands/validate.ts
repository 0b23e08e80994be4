/**
 * `chaosflow validate FILE...`: checks manifests and host inventories (`kind: Inventory`) without running
 * anything. Prints `ok <file>: ...` for each valid file and every error as `file:line:col: error[CODE]
 * /pointer: message` plus a `fix:` line; warnings (`warning[CODE]`, then a `hint:` line) go to stderr. `-o json`
 * or `-o yaml` prints the per-file results, warnings included, instead. Exit 1 if any file has an error;
 * warnings alone keep exit 0.
 */
import type { Command } from 'commander';
import type { ManifestFileResult } from '../../manifests/read-manifests.js';
import { EXIT } from '../exit-codes.js';
import { outputOption, type OutputFormat } from '../output/output-format.js';
import { renderJson, renderYaml } from '../output/render-data.js';

export interface ValidateOptions {
  output: OutputFormat;
}

export interface CommandIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
}

export function register(program: Command): void {
  program
    .command('validate')
    .description(
      'check manifests (Workflow, Schedule, chaos kinds) and host inventories against the schemas and the semantic rules',
    )
    .argument('<files...>', 'YAML files, each with one or more documents')
    .addOption(outputOption())
    .action(async (files: string[], options: ValidateOptions) => {
      process.exitCode = await validateAction(files, options, {
        stdout: (t) => process.stdout.write(t),
        stderr: (t) => process.stderr.write(t),
      });
    });
}

/** Returns the exit code. */
export async function validateAction(
  files: readonly string[],
  options: ValidateOptions,
  io: CommandIo,
): Promise<number> {
  const { readManifestFile } = await import('../../manifests/read-manifests.js');
  const { formatManifestErrors, formatManifestWarnings } = await import('../../manifests/format-error.js');
  const results: ManifestFileResult[] = [];
  for (const file of files) results.push(await readManifestFile(file));
  const errorCount = results.reduce((n, r) => n + r.errors.length, 0);
  const warningCount = results.reduce((n, r) => n + r.warnings.length, 0);
  if (options.output === 'table') {
    for (const r of results) {
      if (r.warnings.length > 0) io.stderr(formatManifestWarnings(r.warnings));
      if (r.errors.length > 0) {
        io.stdout(formatManifestErrors(r.errors));
        continue;
      }
      const n = r.documents.length;
      const kinds = [...new Set(r.documents.map((d) => d.kind))].join(', ');
      const warned = r.warnings.length === 0 ? '' : `, ${count(r.warnings.length, 'warning')}`;
      io.stdout(`ok ${r.file}: ${count(n, 'document')} (${kinds})${warned}\n`);
    }
    const where = (has: (r: ManifestFileResult) => boolean) =>
      `in ${results.filter(has).length} of ${count(results.length, 'file')}`;
    const summary = [
      ...(errorCount > 0 ? [`${count(errorCount, 'error')} ${where((r) => r.errors.length > 0)}`] : []),
      ...(warningCount > 0
        ? [`${count(warningCount, 'warning')} ${where((r) => r.warnings.length > 0)}`]
        : []),
    ];
    if (summary.length > 0) io.stderr(`${summary.join('; ')}\n`);
  } else {
    const report = {
      valid: errorCount === 0,
      errorCount,
      warningCount,
      files: results.map((r) => ({
        file: r.file,
        valid: r.errors.length === 0,
        documents: r.documents,
        errors: r.errors,
        warnings: r.warnings,
      })),
    };
    io.stdout(options.output === 'json' ? renderJson(report) : renderYaml([report]));
  }
  return errorCount > 0 ? EXIT.failed : EXIT.ok;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
