/**
 * `chaosflow validate FILE...`: checks manifests without running anything. Prints `ok <file>: ...` for each
 * valid file and every error as `file:line:col: error[CODE] /pointer: message` plus a `fix:` line; `-o json`
 * or `-o yaml` prints the per-file results instead. Exit 1 if any file has an error.
 */
import type { Command } from 'commander';
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
      'check manifests (Workflow, Schedule, chaos kinds) against the schemas and the semantic rules',
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
  const { formatManifestErrors } = await import('../../manifests/format-error.js');
  const results = [];
  for (const file of files) results.push(await readManifestFile(file));
  const errorCount = results.reduce((n, r) => n + r.errors.length, 0);
  if (options.output === 'table') {
    for (const r of results) {
      if (r.errors.length > 0) {
        io.stdout(formatManifestErrors(r.errors));
        continue;
      }
      const n = r.documents.length;
      const kinds = [...new Set(r.documents.map((d) => d.kind))].join(', ');
      io.stdout(`ok ${r.file}: ${n} document${n === 1 ? '' : 's'} (${kinds})\n`);
    }
    if (errorCount > 0) {
      const bad = results.filter((r) => r.errors.length > 0).length;
      io.stderr(
        `${errorCount} error${errorCount === 1 ? '' : 's'} in ${bad} of ${results.length} file${results.length === 1 ? '' : 's'}\n`,
      );
    }
  } else {
    const report = {
      valid: errorCount === 0,
      errorCount,
      files: results.map((r) => ({
        file: r.file,
        valid: r.errors.length === 0,
        documents: r.documents,
        errors: r.errors,
      })),
    };
    io.stdout(options.output === 'json' ? renderJson(report) : renderYaml([report]));
  }
  return errorCount > 0 ? EXIT.failed : EXIT.ok;
}
