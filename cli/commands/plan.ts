/**
 * `chaosflow plan FILE`: what a manifest would run, without running it. The table shows the node tree from
 * the entry (and, for a Schedule, its schedule fields and the tree each tick runs); `-o json|yaml` prints the
 * compiled Plan / SchedulePlan (one object, or a list when the file has several documents). Errors and
 * warnings go to stderr in every format, so the JSON and YAML stay the plans alone; warnings keep exit 0.
 * Target resolution plugs in through `PlanDeps.resolveTargets`, which fills the TARGETS column.
 */
import type { Command } from 'commander';
import { formatGoDuration } from '../../common/duration.js';
import type { Plan } from '../../common/plan.js';
import type { SchedulePlan } from '../../common/schedule-plan.js';
import { EXIT } from '../exit-codes.js';
import { outputOption, type OutputFormat } from '../output/output-format.js';
import { renderPlanTree, type TargetSummaries } from '../output/plan-tree.js';
import { renderJson, renderYaml } from '../output/render-data.js';
import { renderFields } from '../output/render-table.js';
import type { CommandIo } from './validate.js';

export interface PlanOptions {
  output: OutputFormat;
  inventory?: string;
  kubeconfig?: string;
}

/** The seam for target resolution: template name -> what it would hit. Absent: no TARGETS column. */
export type TargetResolver = (plan: Plan) => Promise<TargetSummaries>;

export interface PlanDeps extends CommandIo {
  resolveTargets?: TargetResolver;
  /** Warnings about what the targets' agents cannot do (`plan-capabilities.ts`); absent: not asked. */
  checkCapabilities?: (plan: Plan) => Promise<string[]>;
}

export function register(program: Command): void {
  program
    .command('plan')
    .description('show what a manifest would run (the resolved node tree), without running it')
    .argument('<file>', 'a YAML file with one or more documents')
    .option(
      '--inventory <file>',
      'resolve targets from this host inventory (the dry run of a run); default CHAOSFLOW_INVENTORY',
    )
    .option('--kubeconfig <file>', "resolve targets from this cluster's pods (Kubernetes mode)")
    .addOption(outputOption())
    .action(async (file: string, options: PlanOptions) => {
      const inventory = options.inventory ?? process.env['CHAOSFLOW_INVENTORY'];
      const { inventoryTargets, kubernetesTargets } = await import('../plan-targets.js');
      const { inventoryCapabilityWarnings } = await import('../plan-capabilities.js');
      const kubeconfig = options.kubeconfig;
      const resolveTargets: TargetResolver | undefined = kubeconfig
        ? (plan) => kubernetesTargets(kubeconfig, plan)
        : inventory
          ? (plan) => inventoryTargets(inventory, plan)
          : undefined;
      process.exitCode = await planAction(file, options, {
        stdout: (t) => process.stdout.write(t),
        stderr: (t) => process.stderr.write(t),
        ...(resolveTargets ? { resolveTargets } : {}),
        ...(inventory && !kubeconfig
          ? { checkCapabilities: (plan: Plan) => inventoryCapabilityWarnings(inventory, plan) }
          : {}),
      });
    });
}

/** Returns the exit code. */
export async function planAction(file: string, options: PlanOptions, deps: PlanDeps): Promise<number> {
  const { readManifestFile } = await import('../../manifests/read-manifests.js');
  const { formatManifestErrors, formatManifestWarnings } = await import('../../manifests/format-error.js');
  const result = await readManifestFile(file);
  if (result.warnings.length > 0) deps.stderr(formatManifestWarnings(result.warnings));
  if (result.errors.length > 0) {
    deps.stderr(formatManifestErrors(result.errors));
    return EXIT.failed;
  }
  for (const doc of result.documents.filter((d) => d.kind === 'Inventory')) {
    deps.stderr(
      `${file}:${doc.line}: an Inventory runs nothing, so it has no plan; give it to plan --inventory to see the targets a manifest would hit\n`,
    );
  }
  const compiled = result.compiled.map((c) => (c.type === 'plan' ? c.plan : c.schedulePlan));
  for (const c of result.compiled)
    await warnCapabilities(c.type === 'plan' ? c.plan : c.schedulePlan.run, deps);
  if (options.output === 'json') {
    deps.stdout(renderJson(compiled.length === 1 ? compiled[0] : compiled));
    return EXIT.ok;
  }
  if (options.output === 'yaml') {
    deps.stdout(renderYaml(compiled));
    return EXIT.ok;
  }
  const sections: string[] = [];
  for (const c of result.compiled) {
    sections.push(
      c.type === 'plan' ? await planSection(c.plan, deps) : await scheduleSection(c.schedulePlan, deps),
    );
  }
  deps.stdout(sections.join('\n'));
  return EXIT.ok;
}

async function warnCapabilities(plan: Plan, deps: PlanDeps): Promise<void> {
  for (const warning of deps.checkCapabilities ? await deps.checkCapabilities(plan) : []) {
    deps.stderr(`warning: ${warning}\n`);
  }
}

async function planSection(plan: Plan, deps: PlanDeps): Promise<string> {
  const targets = deps.resolveTargets ? await deps.resolveTargets(plan) : undefined;
  return `${heading(plan.source)}\n${renderPlanTree(plan, targets)}`;
}

async function scheduleSection(schedule: SchedulePlan, deps: PlanDeps): Promise<string> {
  const timezone =
    schedule.timezone ?? (/^\s*(CRON_TZ|TZ)=/.test(schedule.schedule) ? 'from the TZ= prefix' : 'UTC');
  const fields = renderFields([
    ['schedule', schedule.schedule],
    ['timezone', timezone],
    ['concurrencyPolicy', schedule.concurrencyPolicy],
    ['startingDeadlineSeconds', schedule.startingDeadlineSeconds?.toString() ?? '-'],
    ['historyLimit', schedule.historyLimit?.toString() ?? '-'],
    ['jitter', schedule.jitterMs === undefined ? '-' : formatGoDuration(schedule.jitterMs)],
    ['suspend', String(schedule.suspend)],
    ['type', schedule.type],
  ]);
  const targets = deps.resolveTargets ? await deps.resolveTargets(schedule.run) : undefined;
  return `${heading(schedule.source)}\n${fields}\nEach tick runs:\n${renderPlanTree(schedule.run, targets)}`;
}

function heading(source: { kind: string; namespace: string; name: string; location?: string }): string {
  return `${source.kind} ${source.namespace}/${source.name}${source.location ? ` (${source.location})` : ''}`;
}
