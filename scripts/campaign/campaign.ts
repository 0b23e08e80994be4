/**
 * `npm run campaign [-- --runs N --seed S]`: the recovery campaign (scripts/campaign/run-campaign.ts). Prints a
 * line per run, then the recovery time per disruption (median, p95, max) and the number of targets left with a
 * fault; exits 1 when any was. Needs root (network namespaces, the agent) and the Temporal CLI.
 */
import { parseArgs } from 'node:util';
import { toolPath } from '../../embedded/installed-tools.js';
import { recoveryFigures, runCampaign } from './run-campaign.js';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '200' },
    seed: { type: 'string', default: String(Date.now() % 100_000) },
  },
});
const runs = Number(values.runs);
const seed = Number(values.seed);
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(seed)) {
  process.stderr.write('usage: npm run campaign -- [--runs N (default 200)] [--seed S]\n');
  process.exit(2);
}
if (process.getuid?.() !== 0) {
  process.stderr.write('the campaign needs root: it creates network namespaces and runs the agent\n');
  process.exit(2);
}
process.stdout.write(`campaign: ${runs} runs, seed ${seed}\n`);
const started = Date.now();
// Ctrl-C ends the campaign after the run in progress, which still recovers and is checked; a second one quits.
const stop = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stop.signal.aborted) process.exit(130);
    process.stdout.write(`${signal}: stopping after this run (again to quit at once)\n`);
    stop.abort();
  });
}
const results = await runCampaign({
  stop: stop.signal,
  runs,
  seed,
  temporalExecutable: toolPath('temporal'),
  log: (line) => process.stdout.write(`${line}\n`),
});
process.stdout.write(`\n${recoveryFigures(results).join('\n')}\n`);
process.stdout.write(`took ${Math.round((Date.now() - started) / 1000)} s\n`);
process.exitCode = results.some((r) => r.left.length > 0 || r.leaseRescues > 0)
  ? 1
  : stop.signal.aborted
    ? 130
    : 0;
