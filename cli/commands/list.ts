/**
 * `chaosflow list`: recent runs with their phase, newest first (Temporal visibility, no worker needed), filtered
 * by phase, kind, manifest and schedule through the runs' search attributes (`run-list-query.ts`).
 */
import type { Command } from 'commander';
import type { TemporalFlags } from '../../client/temporal-config.js';
import { withTemporalOptions } from '../config.js';
import { openClient } from '../open-run.js';
import { outputOption, type OutputFormat } from '../output/output-format.js';
import { renderJson, renderYaml } from '../output/render-data.js';
import { renderTable } from '../output/render-table.js';

interface ListOptions extends TemporalFlags {
  output: OutputFormat;
  limit: string;
  phase?: string;
  kind?: string;
  name?: string;
  schedule?: string;
  printQuery?: boolean;
}

export function register(program: Command): void {
  withTemporalOptions(
    program
      .command('list')
      .description('list runs, newest first')
      .option('--phase <phase>', 'only runs in this phase (Running, Succeeded, Failed, Aborted, ...)')
      .option('--kind <kind>', 'only runs of this kind (Workflow, NetworkChaos, PodChaos, ...)')
      .option('--name <[namespace/]name>', 'only runs of this manifest')
      .option('--schedule <[namespace/]name>', 'only runs started by this Schedule (or Schedule node id)')
      .option('--print-query', 'print the visibility query (for the Temporal UI search box) and exit')
      .option('--limit <n>', 'at most this many runs', '20')
      .addOption(outputOption()),
  ).action(async (options: ListOptions) => {
    const { runListQuery } = await import('../run-list-query.js');
    const query = runListQuery(options);
    if (options.printQuery) {
      process.stdout.write(`${query}\n`);
      return;
    }
    const client = await openClient(options);
    const { SA_KIND, SA_NAME, SA_NAMESPACE, SA_PHASE } = await import('../../common/search-attributes.js');
    const { orphanPhaseLabel } = await import('../../common/orphan-recovery.js');
    const { readOrphanRecovery } = await import('../../client/orphan-status.js');
    const limit = Math.max(1, Number(options.limit) || 20);
    const runs = [];
    for await (const run of client.workflow.list({ query, pageSize: limit })) {
      const sa = run.typedSearchAttributes;
      const phase = sa.get(SA_PHASE) ?? run.status.name;
      // Terminated or timed out: the phase it had then, and what the janitor made of its faults.
      const orphan = await readOrphanRecovery(client.workflow, {
        workflowId: run.workflowId,
        runId: run.runId,
        status: run.status.name,
        closedAt: run.closeTime,
      });
      runs.push({
        id: run.workflowId,
        kind: sa.get(SA_KIND) ?? '',
        manifest: `${sa.get(SA_NAMESPACE) ?? ''}/${sa.get(SA_NAME) ?? ''}`,
        phase: orphan ? orphanPhaseLabel(orphan.orphan.closedAs, phase, orphan.phase) : phase,
        temporalStatus: run.status.name,
        started: run.startTime.toISOString(),
        closed: run.closeTime?.toISOString(),
      });
      if (runs.length >= limit) break;
    }
    runs.sort((a, b) => b.started.localeCompare(a.started));
    if (options.output === 'json') process.stdout.write(renderJson(runs));
    else if (options.output === 'yaml') process.stdout.write(renderYaml([runs]));
    else if (runs.length === 0) process.stdout.write('no runs\n');
    else {
      process.stdout.write(
        renderTable(
          [
            { header: 'RUN' },
            { header: 'KIND' },
            { header: 'MANIFEST' },
            { header: 'PHASE' },
            { header: 'STARTED' },
          ],
          runs.map((r) => [r.id, r.kind, r.manifest, r.phase, r.started]),
        ),
      );
    }
  });
}
