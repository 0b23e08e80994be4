/** `chaosflow status`: whether chaosflow is halted (since when, why, by whom) and how many runs are going. */
import type { Command } from 'commander';
import type { TemporalFlags } from '../../client/temporal-config.js';
import { withTemporalOptions } from '../config.js';
import { EXIT } from '../exit-codes.js';
import { openClient } from '../open-run.js';
import { outputOption, type OutputFormat } from '../output/output-format.js';
import { renderJson, renderYaml } from '../output/render-data.js';
import { renderFields } from '../output/render-table.js';

export function register(program: Command): void {
  withTemporalOptions(
    program
      .command('status')
      .description('show whether chaosflow is halted, and the runs going now')
      .addOption(outputOption()),
  ).action(async (options: TemporalFlags & { output: OutputFormat }) => {
    const client = await openClient(options);
    const { readHalt } = await import('../../client/halt.js');
    const { RUN_WORKFLOW_TYPE } = await import('../../common/run-input.js');
    const halt = await readHalt(client);
    const { count } = await client.workflow.count(
      `WorkflowType = '${RUN_WORKFLOW_TYPE}' AND ExecutionStatus = 'Running'`,
    );
    const view = { halted: halt !== undefined, ...(halt ? { halt } : {}), runningRuns: count };
    if (options.output === 'json') process.stdout.write(renderJson(view));
    else if (options.output === 'yaml') process.stdout.write(renderYaml([view]));
    else {
      process.stdout.write(
        renderFields([
          ['STATE', halt ? 'Halted' : 'Normal'],
          ...(halt
            ? ([
                ['REASON', halt.reason],
                ['BY', halt.by],
                ['SINCE', halt.since],
              ] as const)
            : []),
          ['RUNNING RUNS', String(count)],
        ]),
      );
    }
    process.exitCode = EXIT.ok;
  });
}
