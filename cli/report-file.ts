/** Writing a report file for `chaosflow report --out` and `chaosflow run --report`: folders made, path resolved. */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { errorMessage } from '../common/errors/chaosflow-error.js';
import { CliError } from './cli-error.js';

/** Writes the file and returns its absolute path. */
export async function writeReportFile(path: string, text: string): Promise<string> {
  const absolute = resolve(path);
  try {
    await mkdir(dirname(absolute), { recursive: true });
    await writeFile(absolute, text);
  } catch (err) {
    throw new CliError(`cannot write the report to ${absolute}: ${errorMessage(err)}`);
  }
  return absolute;
}

/** The default report file of a run: `chaosflow-report-<namespace>-<name>-<time>.html` in the current folder. */
export function defaultReportPath(workflowId: string): string {
  const parts = workflowId.split('/');
  const tail = parts.length >= 4 && parts[0] === 'chaosflow' ? parts.slice(1).join('-') : workflowId;
  return `chaosflow-report-${tail.replace(/[^A-Za-z0-9._-]+/g, '-')}.html`;
}
