/**
 * The end of `npm test` (scripts/test.sh): reads vitest's JSON report, lists skipped and failed tests by name,
 * counts failed non-test steps (lint, format, typecheck, ...) as one failed test each, and prints as its very
 * last line `N passed, N failed`. Exits 1 when anything failed.
 *
 *   tsx scripts/ci-summary.ts --report vitest.json --vitest-status 1 [--failed-step lint ...] [--note TEXT ...]
 */
import { existsSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { parseArgs } from 'node:util';

interface AssertionResult {
  ancestorTitles: string[];
  title: string;
  status: string;
  failureMessages?: string[];
}

interface TestFileResult {
  name: string;
  status: string;
  message?: string;
  assertionResults: AssertionResult[];
}

interface VitestJsonReport {
  testResults: TestFileResult[];
}

interface Summary {
  passed: string[];
  failed: string[];
  skipped: string[];
  /** Files that failed without a failing test (import errors, failing hooks). */
  brokenFiles: string[];
}

const { values } = parseArgs({
  options: {
    report: { type: 'string' },
    'vitest-status': { type: 'string' },
    'failed-step': { type: 'string', multiple: true, default: [] },
    note: { type: 'string', multiple: true, default: [] },
  },
});

const failedSteps = values['failed-step'];
const vitestStatus = Number(values['vitest-status'] ?? '0');
const summary = readSummary(values.report);

const lines: string[] = [''];
for (const note of values.note) lines.push(`note: ${note}`);
section(lines, 'skipped tests', summary?.skipped ?? []);
section(lines, 'failed tests', summary?.failed ?? []);
section(
  lines,
  'test files that failed outside any test (counted as one failed test each)',
  summary?.brokenFiles ?? [],
);

const stepFailures = [...failedSteps];
if (summary === undefined) {
  stepFailures.push('vitest (no JSON report was written)');
} else if (vitestStatus !== 0 && summary.failed.length === 0 && summary.brokenFiles.length === 0) {
  stepFailures.push(
    `vitest (exited with status ${vitestStatus} although no test failed: see its output above)`,
  );
}
if (stepFailures.length > 0) {
  lines.push(`failed steps, counted as one failed test each: ${stepFailures.join(', ')}`);
}

const passed = summary?.passed.length ?? 0;
const failed = (summary?.failed.length ?? 0) + (summary?.brokenFiles.length ?? 0) + stepFailures.length;
lines.push(`${passed} passed, ${failed} failed`);
process.stdout.write(`${lines.join('\n')}\n`);
process.exitCode = failed > 0 ? 1 : 0;

function readSummary(file: string | undefined): Summary | undefined {
  if (file === undefined || !existsSync(file)) return undefined;
  const report = JSON.parse(readFileSync(file, 'utf8')) as VitestJsonReport;
  const summary: Summary = { passed: [], failed: [], skipped: [], brokenFiles: [] };
  for (const fileResult of report.testResults) {
    const path = relative(process.cwd(), fileResult.name);
    for (const test of fileResult.assertionResults) {
      const name = [path, ...test.ancestorTitles, test.title].join(' > ');
      if (test.status === 'passed') summary.passed.push(name);
      else if (test.status === 'failed') summary.failed.push(name);
      else summary.skipped.push(`${name} (${test.status})`);
    }
    const anyFailed = fileResult.assertionResults.some((test) => test.status === 'failed');
    if (fileResult.status === 'failed' && !anyFailed) {
      summary.brokenFiles.push(
        `${path}: ${firstLine(fileResult.message) || 'failed (see the output above)'}`,
      );
    }
  }
  return summary;
}

function section(out: string[], title: string, items: readonly string[]): void {
  if (items.length === 0) return;
  out.push(`${title} (${items.length}):`);
  for (const item of items) out.push(`  - ${item}`);
}

function firstLine(text: string | undefined): string {
  return (text ?? '').split('\n')[0] ?? '';
}
