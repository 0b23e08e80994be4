/**
 * One fuzz input through the path `chaosflow validate` and `chaosflow plan` take, judged: it passes (then
 * `plan` of it must finish, as a table and as JSON), or it is rejected with errors whose line and column exist
 * in the text; it never throws, and it finishes within the time bound.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { planAction } from '../../../../cli/commands/plan.js';
import { EXIT } from '../../../../cli/exit-codes.js';
import { readManifestText } from '../../../../manifests/read-manifests.js';
import type { Corpus } from './mutate.js';

export type Outcome = 'passed' | 'rejected' | 'crashed' | 'unlocated' | 'slow';

export interface Verdict {
  outcome: Outcome;
  ms: number;
  /** For the outcomes that fail the run: what went wrong. */
  detail?: string;
}

/** Lines as an editor shows them: `\n`, `\r\n` and a lone `\r` end a line. */
export function lineLengths(text: string): number[] {
  return text.split(/\r\n|\n|\r/).map((line) => line.length);
}

/** Whether `line:col` exists in the text: a line of the file, a column on it or just after its end. */
export function exists(lengths: readonly number[], line: number, col: number): boolean {
  const length = lengths[line - 1];
  return (
    Number.isInteger(line) && Number.isInteger(col) && length !== undefined && col >= 1 && col <= length + 1
  );
}

const MAX_MESSAGE = 1000;

export async function checkInput(text: string, scratch: string, timeBoundMs: number): Promise<Verdict> {
  const start = performance.now();
  let verdict: Verdict;
  try {
    verdict = await judge(text, scratch);
  } catch (err) {
    verdict = {
      outcome: 'crashed',
      ms: 0,
      detail: err instanceof Error ? (err.stack ?? err.message) : String(err),
    };
  }
  const ms = performance.now() - start;
  if ((verdict.outcome === 'passed' || verdict.outcome === 'rejected') && ms > timeBoundMs) {
    return { outcome: 'slow', ms, detail: `took ${Math.round(ms)} ms, more than ${timeBoundMs} ms` };
  }
  return { ...verdict, ms };
}

async function judge(text: string, scratch: string): Promise<Verdict> {
  const result = readManifestText(text, 'fuzz.yaml');
  const lengths = lineLengths(text);
  for (const issue of [...result.errors, ...result.warnings]) {
    if (!exists(lengths, issue.line, issue.col)) {
      return {
        outcome: 'unlocated',
        ms: 0,
        detail: `${issue.code} at ${issue.line}:${issue.col}, but the file has ${lengths.length} lines (that one ${lengths[issue.line - 1] ?? 'none'} long)`,
      };
    }
    if (issue.message.length + issue.fix.length > MAX_MESSAGE) {
      return {
        outcome: 'unlocated',
        ms: 0,
        detail: `${issue.code}: a message of ${issue.message.length} characters`,
      };
    }
  }
  if (result.errors.length > 0) return { outcome: 'rejected', ms: 0 };
  const file = join(scratch, 'input.yaml');
  writeFileSync(file, text);
  for (const output of ['table', 'json'] as const) {
    let stderr = '';
    const code = await planAction(
      file,
      { output },
      { stdout: () => undefined, stderr: (t) => (stderr += t) },
    );
    if (code !== EXIT.ok) {
      return {
        outcome: 'crashed',
        ms: 0,
        detail: `plan -o ${output} exited ${code} on a valid file: ${stderr}`,
      };
    }
  }
  return { outcome: 'passed', ms: 0 };
}

/** The seed corpus: every example (valid), and every fixture of the manifest tests (invalid or warned). */
export function loadCorpus(root: string): Corpus {
  const read = (dirs: string[]): string[] =>
    dirs.flatMap((dir) =>
      readdirSync(dir)
        .filter((name) => name.endsWith('.yaml') || name.endsWith('.invalid-yaml'))
        .sort()
        .map((name) => readFileSync(join(dir, name), 'utf8')),
    );
  const manifests = join(root, 'test', 'unit', 'manifests');
  return {
    valid: read([join(root, 'examples'), join(root, 'examples', 'chaos-mesh')]),
    fixtures: read([join(manifests, 'invalid'), join(manifests, 'warnings')]),
  };
}
