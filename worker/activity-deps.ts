/**
 * What the activities act on, for the worker's composition root: targets from the host inventory (a Kubernetes
 * target source comes with the controller), the fault drivers of every kind over one daemon client pool, and
 * the appliers the per-target entity workflows send merged state through.
 */
import type { ActivityDeps } from '../activities/create-activities.js';
import { createFaultDrivers } from '../activities/faults/drivers.js';
import { createTargetExpanders } from '../activities/faults/target-expanders.js';
import { createTargetStateApplier } from '../activities/faults/per-target-state/apply-target-state.js';
import { createTargetStateClient } from '../activities/faults/per-target-state/entity-client.js';
import { InventoryTargetSource } from '../activities/targets/inventory.js';
import { createTargetResolver } from '../activities/targets/resolve-targets.js';
import { WorkerConfigError } from './config.js';
import type { DepsContext } from './run-worker.js';

export function buildActivityDeps({ config, client, pool }: DepsContext): ActivityDeps {
  if (!config.inventoryFile) {
    throw new WorkerConfigError(
      'no target source: give the host inventory with --inventory FILE (or CHAOSFLOW_INVENTORY); ' +
        'see activities/targets/README.md for its format',
    );
  }
  const source = new InventoryTargetSource(config.inventoryFile);
  const targetState = createTargetStateClient(client, config.temporal.taskQueue);
  return {
    targets: createTargetResolver(source, Math.random, createTargetExpanders(source)),
    drivers: createFaultDrivers({
      pool,
      source,
      targetState,
      ...(config.dnsServer ? { dnsServer: { address: config.dnsServer } } : {}),
    }),
    applyTargetState: createTargetStateApplier({ pool, source }),
  };
}
