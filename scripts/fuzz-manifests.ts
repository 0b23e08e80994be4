/**
 * The large fuzz run of the manifest path (issue 12), outside vitest: `nice -n 19 npx tsx
 * scripts/fuzz-manifests.ts [--count 100000] [--seed 1212] [--first 0] [--time-ms 5000]`. The same mutants and
 * judgement as test/unit/manifests/fuzz.test.ts; prints progress every 10,000 inputs and the counts at the
 * end, writes failing inputs to a scratch folder, and exits 1 if any input crashed, was unlocated or slow.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadCorpus } from '../test/unit/manifests/fuzz/check-input.js';
import { formatReport, runFuzz } from '../test/unit/manifests/fuzz/run-fuzz.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '100000' },
    seed: { type: 'string', default: '1212' },
    first: { type: 'string', default: '0' },
    'time-ms': { type: 'string', default: '5000' },
  },
});
const scratch = mkdtempSync(join(tmpdir(), 'chaosflow-fuzz-'));
const report = await runFuzz({
  corpus: loadCorpus(root),
  seed: Number(values.seed),
  count: Number(values.count),
  first: Number(values.first),
  timeBoundMs: Number(values['time-ms']),
  scratch,
  onProgress: (done, counts) => {
    if (done % 10_000 === 0) process.stderr.write(`fuzz: ${done} done ${JSON.stringify(counts)}\n`);
  },
});
const kept = report.failures.length > 0 ? `fuzz: failing inputs are in ${scratch}\n` : '';
if (!kept) rmSync(scratch, { recursive: true, force: true });
process.stdout.write(`${formatReport(report)}\n${kept}`);
process.exitCode = report.failures.length === 0 ? 0 : 1;
