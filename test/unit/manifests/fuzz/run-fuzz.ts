/**
 * A fuzz run: `count` mutants of the corpus under one seed, each judged by `checkInput`; the counts per
 * outcome, the timings, and the failing inputs (written to the scratch folder to be read or replayed).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkInput, type Outcome } from './check-input.js';
import { mutant, type Corpus } from './mutate.js';

export interface FuzzOptions {
  corpus: Corpus;
  seed: number;
  count: number;
  /** The first index (to replay one input: `first` = its index, `count` = 1). */
  first?: number;
  timeBoundMs: number;
  /** A folder for the plan's input file and for failing inputs. */
  scratch: string;
  onProgress?: (done: number, counts: Readonly<Record<Outcome, number>>) => void;
}

export interface FuzzFailure {
  index: number;
  outcome: Outcome;
  detail: string;
  file: string;
}

export interface FuzzReport {
  seed: number;
  count: number;
  counts: Record<Outcome, number>;
  failures: FuzzFailure[];
  totalMs: number;
  maxMs: number;
  slowestIndex: number;
  /** Inputs over 100 ms and over 1 s (not failures unless over the time bound). */
  over100ms: number;
  over1s: number;
  p99Ms: number;
  meanChars: number;
}

export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const { corpus, seed, count, timeBoundMs, scratch } = options;
  const first = options.first ?? 0;
  const counts: Record<Outcome, number> = { passed: 0, rejected: 0, crashed: 0, unlocated: 0, slow: 0 };
  const failures: FuzzFailure[] = [];
  const times: number[] = [];
  let chars = 0;
  let maxMs = 0;
  let slowestIndex = first;
  const start = performance.now();
  for (let index = first; index < first + count; index++) {
    const text = mutant(corpus, seed, index);
    chars += text.length;
    const verdict = await checkInput(text, scratch, timeBoundMs);
    counts[verdict.outcome]++;
    times.push(verdict.ms);
    if (verdict.ms > maxMs) {
      maxMs = verdict.ms;
      slowestIndex = index;
    }
    if (verdict.outcome !== 'passed' && verdict.outcome !== 'rejected') {
      const file = join(scratch, `failure-${seed}-${index}.yaml`);
      if (failures.length < 50) {
        writeFileSync(file, text);
        failures.push({
          index,
          outcome: verdict.outcome,
          detail: (verdict.detail ?? '').slice(0, 2000),
          file,
        });
      }
    }
    if ((index - first + 1) % 1000 === 0) options.onProgress?.(index - first + 1, counts);
  }
  times.sort((a, b) => a - b);
  return {
    seed,
    count,
    counts,
    failures,
    totalMs: performance.now() - start,
    maxMs,
    slowestIndex,
    over100ms: times.filter((t) => t > 100).length,
    over1s: times.filter((t) => t > 1000).length,
    p99Ms: times[Math.min(times.length - 1, Math.floor(times.length * 0.99))] ?? 0,
    meanChars: count === 0 ? 0 : Math.round(chars / count),
  };
}

export function formatReport(r: FuzzReport): string {
  const c = r.counts;
  return [
    `fuzz: seed ${r.seed}, ${r.count} inputs (mean ${r.meanChars} characters) in ${(r.totalMs / 1000).toFixed(1)} s`,
    `fuzz: passed ${c.passed}, rejected with located errors ${c.rejected}, crashed ${c.crashed}, unlocated ${c.unlocated}, slow ${c.slow}`,
    `fuzz: p99 ${r.p99Ms.toFixed(1)} ms, max ${r.maxMs.toFixed(0)} ms (input ${r.slowestIndex}), over 100 ms ${r.over100ms}, over 1 s ${r.over1s}`,
    ...r.failures.map(
      (f) =>
        `fuzz: input ${f.index} ${f.outcome} (${f.file}): ${f.detail.split('\n').slice(0, 4).join(' | ')}`,
    ),
    `fuzz: replay with CHAOSFLOW_FUZZ_SEED=${r.seed} CHAOSFLOW_FUZZ_COUNT=${r.count}; one input with CHAOSFLOW_FUZZ_FIRST=<index> CHAOSFLOW_FUZZ_COUNT=1`,
  ].join('\n');
}
