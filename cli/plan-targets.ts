/**
 * The dry run of `chaosflow plan --inventory FILE`: which targets each chaos template would hit, resolved from
 * the host inventory exactly as a run would (random modes show one possible choice). Nothing is injected.
 */
import { errorMessage } from '../common/errors/chaosflow-error.js';
import type { Plan } from '../common/plan.js';
import type { TargetSummaries } from './output/plan-tree.js';

export async function inventoryTargets(file: string, plan: Plan): Promise<TargetSummaries> {
  const [{ InventoryTargetSource }, { resolveTargets }] = await Promise.all([
    import('../activities/targets/inventory.js'),
    import('../activities/targets/resolve-targets.js'),
  ]);
  const source = new InventoryTargetSource(file);
  const summaries = new Map<string, string>();
  for (const template of Object.values(plan.templates)) {
    if (template.type !== 'Chaos' && template.type !== 'Schedule') continue;
    try {
      const resolved = await resolveTargets({
        spec: template.chaos.spec,
        namespace: plan.source.namespace,
        source,
        random: Math.random,
      });
      const keys = resolved.groups.flatMap((g) => g.targets.map((t) => t.key));
      const random = ['one', 'fixed', 'fixed-percent', 'random-max-percent'].includes(
        String(template.chaos.spec['mode']),
      );
      summaries.set(
        template.name,
        `${keys.length} of ${resolved.matched} matching${random ? ' (e.g.)' : ''}: ${keys.join(' ') || 'none'}`,
      );
    } catch (err) {
      summaries.set(template.name, `error: ${errorMessage(err)}`);
    }
  }
  return summaries;
}
