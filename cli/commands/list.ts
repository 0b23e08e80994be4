/** `chaosflow list`: recent runs with their phase, newest first (Temporal visibility, no worker needed). */
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
  name?: string;
}

export function register(program: Command): void {
  withTemporalOptions(
    program
      .command('list')
      .description('list runs, newest first')
      .option('--phase <phase>', 'only runs in this phase (Running, Succeeded, Failed, Aborted, ...)')
      .option('--name <[namespace/]name>', 'only runs of this manifest')
      .option('--limit <n>', 'at most this many runs', '20')
      .addOption(outputOption()),
  ).action(async (options: ListOptions) => {
    const client = await openClient(options);
    const { RUN_WORKFLOW_TYPE } = await import('../../common/run-input.js');
    const { SA_KIND, SA_NAME, SA_NAMESPACE, SA_PHASE } = await import('../../common/search-attributes.js');
    const clauses = [`WorkflowType = '${RUN_WORKFLOW_TYPE}'`];
    if (options.phase) clauses.push(`ChaosflowPhase = '${quote(options.phase)}'`);
    if (options.name) {
      const [namespace, name] = options.name.includes('/')
        ? options.name.split('/', 2)
        : [undefined, options.name];
      clauses.push(`ChaosflowName = '${quote(name ?? '')}'`);
      if (namespace) clauses.push(`ChaosflowNamespace = '${quote(namespace)}'`);
    }
    const limit = Math.max(1, Number(options.limit) || 20);
    const runs = [];
    for await (const run of client.workflow.list({ query: clauses.join(' AND '), pageSize: limit })) {
      const sa = run.typedSearchAttributes;
      runs.push({
        id: run.workflowId,
        kind: sa.get(SA_KIND) ?? '',
        manifest: `${sa.get(SA_NAMESPACE) ?? ''}/${sa.get(SA_NAME) ?? ''}`,
        phase: sa.get(SA_PHASE) ?? run.status.name,
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

function quote(value: string): string {
  return value.replace(/'/g, "\\'");
}
