import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResolveTargetsInput } from '../../../activities/contract.js';
import { ActivityError } from '../../../activities/errors.js';
import { InventoryTargetSource } from '../../../activities/targets/inventory.js';
import {
  createTargetResolver,
  resolvePodSelector,
  resolveTargets,
} from '../../../activities/targets/resolve-targets.js';
import type { TargetSource } from '../../../activities/targets/target-source.js';
import { seededRandom } from '../../harness/seeded-random.js';

/**
 * Three nodes: node-a and node-b each with their own agent, node-c served by node-a's agent (same address), so
 * node-a and node-c targets land in one daemon group.
 */
const SAMPLE = `apiVersion: chaosflow.dev/v1alpha1
kind: Inventory
nodes:
  - name: node-a
    labels: { zone: east }
    daemon: { address: 127.0.0.1:31767 }
  - name: node-b
    labels: { zone: west }
    daemon: { address: 127.0.0.2:31767 }
  - name: node-c
    labels: { zone: east }
    daemon: { address: 127.0.0.1:31767 }
pods:
  - namespace: shop
    name: web-0
    labels: { app: web }
    node: node-a
    ips: [10.0.0.10]
    containers: [{ name: app, id: "pid://100" }, { name: proxy, id: "pid://101" }]
  - namespace: shop
    name: web-1
    labels: { app: web }
    node: node-b
    containers: [{ name: app, id: "pid://110" }, { name: proxy, id: "pid://111" }]
  - namespace: shop
    name: web-2
    labels: { app: web }
    node: node-c
    containers: [{ name: app, id: "pid://120" }, { name: proxy, id: "pid://121" }]
  - namespace: shop
    name: db-0
    labels: { app: db }
    node: node-b
    ips: [10.0.0.20]
    containers: [{ name: postgres, id: "pid://200" }]
  - namespace: lab
    name: web-0
    labels: { app: web }
    node: node-a
    containers: [{ name: app, id: "pid://300" }]
`;

let dir: string;
let source: InventoryTargetSource;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chaosflow-resolve-'));
  await writeFile(join(dir, 'inventory.yaml'), SAMPLE);
  source = new InventoryTargetSource(join(dir, 'inventory.yaml'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const seeded = seededRandom;

async function activityError(p: Promise<unknown>): Promise<ActivityError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ActivityError) return err;
    throw err;
  }
  throw new Error('expected an ActivityError');
}

describe('resolveTargets over a host inventory', () => {
  it('groups targets by daemon endpoint; nodes sharing an agent share a group', async () => {
    const result = await resolveTargets({
      spec: { selector: { labelSelectors: { app: 'web' } }, mode: 'all' },
      namespace: 'shop',
      source,
      random: seeded(1),
    });
    expect(result.matched).toBe(3);
    expect(result.namespaces).toEqual(['shop']);
    expect(
      result.groups.map((g) => ({ endpoint: g.endpoint, nodes: g.nodes, keys: g.targets.map((t) => t.key) })),
    ).toEqual([
      {
        endpoint: '127.0.0.1:31767',
        nodes: ['node-a', 'node-c'],
        keys: ['shop/web-0/app', 'shop/web-2/app'],
      },
      { endpoint: '127.0.0.2:31767', nodes: ['node-b'], keys: ['shop/web-1/app'] },
    ]);
    expect(result.groups[0]?.targets[0]).toEqual({
      key: 'shop/web-0/app',
      namespace: 'shop',
      pod: 'web-0',
      podUid: 'inventory:shop/web-0',
      container: 'app',
      containerId: 'pid://100',
      node: 'node-a',
    });
  });

  it('takes named containers and node selectors', async () => {
    const result = await resolveTargets({
      spec: {
        selector: { labelSelectors: { app: 'web' }, nodeSelectors: { zone: 'west' } },
        mode: 'all',
        containerNames: ['proxy'],
      },
      namespace: 'shop',
      source,
      random: seeded(1),
    });
    expect(result.groups.flatMap((g) => g.targets.map((t) => `${t.key} ${t.containerId}`))).toEqual([
      'shop/web-1/proxy pid://111',
    ]);
  });

  it('searches the namespaces the selector lists, default the manifest namespace', async () => {
    const inLab = await resolveTargets({
      spec: { selector: { labelSelectors: { app: 'web' } }, mode: 'all' },
      namespace: 'lab',
      source,
      random: seeded(1),
    });
    expect(inLab.groups.flatMap((g) => g.targets.map((t) => t.key))).toEqual(['lab/web-0/app']);
    const both = await resolveTargets({
      spec: { selector: { namespaces: ['lab', 'shop'], labelSelectors: { app: 'web' } }, mode: 'all' },
      namespace: 'lab',
      source,
      random: seeded(1),
    });
    expect(both.matched).toBe(4);
  });

  it('chooses the same targets for the same random numbers', async () => {
    const run = (seed: number) =>
      resolveTargets({
        spec: { selector: { namespaces: ['shop', 'lab'] }, mode: 'fixed-percent', value: '40' },
        namespace: 'shop',
        source,
        random: seeded(seed),
      }).then((r) => r.groups.flatMap((g) => g.targets.map((t) => t.key)));
    const first = await run(9);
    expect(first).toHaveLength(2); // ceil(5 pods x 40 %)
    expect(await run(9)).toEqual(first);
  });

  it('fails with NO_TARGETS, naming selector and namespaces, when nothing matches', async () => {
    const err = await activityError(
      resolveTargets({
        spec: { selector: { labelSelectors: { app: 'cache' } }, mode: 'one' },
        namespace: 'shop',
        source,
        random: seeded(1),
      }),
    );
    expect(err.code).toBe('NO_TARGETS');
    expect(err.retryable).toBe(false);
    expect(err.message).toContain('no pod matches selector labelSelectors {app=cache} in namespaces shop');
  });

  it('fails with INVALID_INPUT for a value that does not suit the mode, or a container the pods lack', async () => {
    // A mode outside the enum, or a value that is not a string, cannot reach here: the schema rejects them.
    for (const spec of [
      { selector: {}, mode: 'fixed' as const, value: '0' },
      { selector: {}, mode: 'all' as const, containerNames: ['nginx'] },
    ]) {
      const err = await activityError(resolveTargets({ spec, namespace: 'shop', source, random: seeded(1) }));
      expect(err.code).toBe('INVALID_INPUT');
    }
  });

  it('returns no group, and the 0 % drawn, when random-max-percent draws nothing', async () => {
    const result = await resolveTargets({
      spec: { selector: {}, mode: 'random-max-percent', value: '30' },
      namespace: 'shop',
      source,
      random: () => 0,
    });
    expect(result).toMatchObject({ groups: [], matched: 4, drawnPercent: 0 });
  });

  it('fails with INVALID_INPUT when the inventory itself is invalid', async () => {
    const broken = join(dir, 'broken.yaml');
    await writeFile(broken, 'nodes: 3\n');
    const err = await activityError(
      resolveTargets({
        spec: { selector: {}, mode: 'all' },
        namespace: 'shop',
        source: new InventoryTargetSource(broken),
        random: seeded(1),
      }),
    );
    expect(err.code).toBe('INVALID_INPUT');
    expect(err.message).toContain(
      `${broken}:1:8: error[SCHEMA_TYPE] /nodes: nodes must be a list, found the number 3`,
    );
  });

  it('fails with UNAVAILABLE (retried) when the source cannot be asked', async () => {
    const failingSourceFake: TargetSource = {
      listPods: () => Promise.reject(new Error('connection refused')),
      nodeLabels: () => Promise.resolve({}),
      daemonFor: () => Promise.reject(new Error('unused')),
    };
    const err = await activityError(
      resolveTargets({
        spec: { selector: {}, mode: 'all' },
        namespace: 'shop',
        source: failingSourceFake,
        random: seeded(1),
      }),
    );
    expect(err.code).toBe('UNAVAILABLE');
    expect(err.retryable).toBe(true);
  });
});

describe('resolvePodSelector (NetworkChaos target)', () => {
  it('resolves the peer pods with their addresses', async () => {
    const peers = await resolvePodSelector(
      { selector: { labelSelectors: { app: 'db' } }, mode: 'all' },
      'shop',
      source,
      seeded(1),
    );
    expect(peers.pods.map((p) => ({ name: p.name, ips: p.podIPs }))).toEqual([
      { name: 'db-0', ips: ['10.0.0.20'] },
    ]);
  });

  it('fails with NO_TARGETS when no peer matches', async () => {
    const err = await activityError(
      resolvePodSelector(
        { selector: { labelSelectors: { app: 'none' } }, mode: 'one' },
        'shop',
        source,
        seeded(1),
      ),
    );
    expect(err.code).toBe('NO_TARGETS');
    expect(err.message).toContain('no pod matches selector labelSelectors {app=none} in namespaces shop');
  });
});

describe('createTargetResolver', () => {
  it("resolves a plan chaos action in the run namespace into the contract's groups", async () => {
    const input: ResolveTargetsInput = {
      run: { workflowId: 'wf-1', namespace: 'lab', name: 'game-day' },
      nodeId: 'kill',
      chaos: {
        kind: 'PodChaos',
        action: 'container-kill',
        oneShot: true,
        spec: { selector: { labelSelectors: { app: 'web' } }, mode: 'one', action: 'container-kill' },
      },
    };
    const { groups } = await createTargetResolver(source, seeded(3)).resolve(input);
    expect(groups.map((g) => ({ endpoint: g.endpoint, keys: g.targets.map((t) => t.key) }))).toEqual([
      { endpoint: '127.0.0.1:31767', keys: ['lab/web-0/app'] },
    ]);
  });
});
