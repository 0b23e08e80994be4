/**
 * `chaosflow get RUN`: a run's phase and node tree (live while it runs), or its full status as JSON/YAML. A run
 * whose nodes name clusters (`remoteCluster`) shows each node's cluster, and each cluster's workers: a running
 * node of a cluster without one says it waits for that cluster's worker.
 */
import type { Command } from 'commander';
import type { TemporalFlags } from '../../client/temporal-config.js';
import { withTemporalOptions } from '../config.js';
import { EXIT } from '../exit-codes.js';
import { openRun } from '../open-run.js';
import { outputOption, type OutputFormat } from '../output/output-format.js';
import { renderJson, renderYaml } from '../output/render-data.js';

export function register(program: Command): void {
  withTemporalOptions(
    program
      .command('get')
      .description('show a run: its phase and node tree')
      .argument('<run>', 'workflow id, or namespace/name of a manifest (its newest run)')
      .option('--faults', 'also show the fault ledger (every injected fault and its recovery)')
      .addOption(outputOption()),
  ).action(async (ref: string, options: TemporalFlags & { output: OutputFormat; faults?: boolean }) => {
    const handle = await openRun(ref, options);
    const { readRunStatus } = await import('../../client/runs.js');
    const status = await readRunStatus(handle);
    let faults: unknown[] | undefined;
    if (options.faults) {
      const { faultsQuery } = await import('../../workflows/messages.js');
      faults = await handle.query(faultsQuery).catch(() => undefined);
    }
    if (options.output === 'json') process.stdout.write(renderJson(faults ? { status, faults } : status));
    else if (options.output === 'yaml')
      process.stdout.write(renderYaml([faults ? { status, faults } : status]));
    else {
      const { renderRunHeader, renderRunTree, renderClusterWorkers } = await import('../output/run-tree.js');
      const { readClusterWorkers, runClusters } = await import('../../client/cluster-workers.js');
      // The clusters its nodes run on, and which of them have no worker: their running nodes wait for one.
      const clusters = await readClusterWorkers(handle, runClusters(status));
      const waiting = new Set(clusters.filter((c) => c.workers === 0).map((c) => c.cluster));
      process.stdout.write(`${renderRunHeader(status)}\n${renderRunTree(status, Date.now(), waiting)}`);
      if (clusters.length > 0) process.stdout.write(`\n${renderClusterWorkers(clusters)}`);
      if (faults) {
        const { renderFaults } = await import('../output/fault-table.js');
        process.stdout.write(`\n${renderFaults(faults as never)}`);
      }
    }
    process.exitCode = EXIT.ok;
  });
}
