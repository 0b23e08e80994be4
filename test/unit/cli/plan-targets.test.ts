/** `chaosflow plan --inventory`: the dry run resolves every chaos template's targets from the host inventory. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planAction } from '../../../cli/commands/plan.js';
import { inventoryTargets } from '../../../cli/plan-targets.js';

const root = join(import.meta.dirname, '..', '..', '..');
let dir: string;
let inventory: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chaosflow-plan-'));
  inventory = join(dir, 'inventory.yaml');
  await writeFile(
    inventory,
    `nodes:
  - name: local
    daemon: { address: 127.0.0.1:31767 }
pods:
  - { namespace: default, name: demo-0, labels: { app: demo }, node: local, containers: [{ name: server, id: pid://101 }] }
  - { namespace: default, name: demo-1, labels: { app: demo }, node: local, containers: [{ name: server, id: pid://102 }] }
  - { namespace: default, name: other, labels: { app: other }, node: local, containers: [{ name: main, id: pid://103 }] }
`,
  );
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('plan targets from the host inventory', () => {
  it('lists the targets each chaos node would hit, and only chaos nodes', async () => {
    const out: string[] = [];
    const code = await planAction(
      join(root, 'examples', 'game-day.yaml'),
      { output: 'table' },
      {
        stdout: (t) => out.push(t),
        stderr: () => undefined,
        resolveTargets: (plan) => inventoryTargets(inventory, plan),
      },
    );
    expect(code).toBe(0);
    const text = out.join('');
    expect(text).toMatch(/TARGETS/);
    expect(text).toMatch(/partition .*2 of 2 matching: default\/demo-0\/server default\/demo-1\/server/);
    expect(text).not.toMatch(/steady-state .*matching/);
  });

  it('says why a selector matches nothing instead of failing the plan', async () => {
    const plan = {
      planVersion: 1 as const,
      source: {
        kind: 'Workflow' as const,
        apiVersion: 'chaosflow.dev/v1alpha1',
        namespace: 'default',
        name: 'x',
      },
      entry: 'kill',
      templates: {
        kill: {
          type: 'Chaos' as const,
          name: 'kill',
          chaos: {
            kind: 'PodChaos' as const,
            action: 'container-kill' as const,
            oneShot: true,
            spec: {
              action: 'container-kill' as const,
              mode: 'one' as const,
              selector: { namespaces: ['default'], labelSelectors: { app: 'nope' } },
            },
          },
        },
      },
    };
    const summaries = await inventoryTargets(inventory, plan);
    expect(summaries.get('kill')).toMatch(/^error: .*app=nope|^error: .*no pod/);
  });
});
