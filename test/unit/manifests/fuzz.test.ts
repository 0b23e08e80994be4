/**
 * Fuzzing the manifest path (issue 12): mutants of every example and fixture go through what `validate` and
 * `plan` do. Each must pass (and then `plan` of it finishes) or be rejected with errors whose line and column
 * exist in the file, without throwing and within a time bound. The seed is fixed and printed; the environment
 * changes the run: CHAOSFLOW_FUZZ_COUNT (default 3000), CHAOSFLOW_FUZZ_SEED, CHAOSFLOW_FUZZ_FIRST (replay from
 * an index), CHAOSFLOW_FUZZ_TIME_MS (the bound per input, default 5000: far above the milliseconds an input
 * takes, so that only a hang or a quadratic blow-up fails it on a busy machine). `scripts/fuzz-manifests.sh`
 * runs the large count.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exists, lineLengths, loadCorpus } from './fuzz/check-input.js';
import { mutant } from './fuzz/mutate.js';
import { formatReport, runFuzz } from './fuzz/run-fuzz.js';

const root = join(import.meta.dirname, '..', '..', '..');
const env = (name: string, fallback: number): number => {
  const value = process.env[name];
  return value === undefined || value === '' ? fallback : Number(value);
};

const DEFAULT_SEED = 1212;
const seed = env('CHAOSFLOW_FUZZ_SEED', DEFAULT_SEED);
const count = env('CHAOSFLOW_FUZZ_COUNT', 3000);
const first = env('CHAOSFLOW_FUZZ_FIRST', 0);
const timeBoundMs = env('CHAOSFLOW_FUZZ_TIME_MS', 5000);
const corpus = loadCorpus(root);

describe('fuzzing the manifest path', () => {
  it('has a seed corpus of examples and fixtures', () => {
    expect(corpus.valid.length).toBeGreaterThan(20);
    expect(corpus.fixtures.length).toBeGreaterThan(90);
  });

  it('makes the same input from the same seed and index, and other inputs from others', () => {
    expect(mutant(corpus, seed, 7)).toBe(mutant(corpus, seed, 7));
    const distinct = new Set(Array.from({ length: 50 }, (_, i) => mutant(corpus, seed, i)));
    expect(distinct.size).toBeGreaterThan(40);
  });

  it('judges a position that is not in the file as unlocated', () => {
    const lengths = lineLengths('a: b\r\nc\rdd\n');
    expect(lengths).toEqual([4, 1, 2, 0]);
    expect(exists(lengths, 1, 5)).toBe(true);
    expect(exists(lengths, 1, 6)).toBe(false);
    expect(exists(lengths, 3, 3)).toBe(true);
    expect(exists(lengths, 5, 1)).toBe(false);
    expect(exists(lengths, 0, 1)).toBe(false);
  });

  it(`passes or rejects with a located error every one of ${count} mutants (seed ${seed}), and plans every accepted one`, async () => {
    const scratch = mkdtempSync(join(tmpdir(), 'chaosflow-fuzz-'));
    const report = await runFuzz({ corpus, seed, count, first, timeBoundMs, scratch });
    process.stdout.write(`${formatReport(report)}\n`);
    if (report.failures.length === 0) rmSync(scratch, { recursive: true, force: true });
    else process.stdout.write(`fuzz: failing inputs are in ${scratch}\n`);
    expect(report.failures.map((f) => `${f.index} ${f.outcome}: ${f.detail.split('\n')[0]}`)).toEqual([]);
    expect(report.counts.passed + report.counts.rejected).toBe(count);
    // A run that accepted or refused everything would not be testing much.
    if (count >= 1000) {
      expect(report.counts.passed).toBeGreaterThan(count * 0.05);
      expect(report.counts.rejected).toBeGreaterThan(count * 0.2);
    }
  }, 600_000);
});
