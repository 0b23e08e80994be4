/**
 * examples/chaos-mesh/ holds Schedule manifests as Chaos Mesh users write them (apiVersion chaos-mesh.org, no
 * chaosflow extension): each validates, compiles and maps to Temporal options. (They run end to end in
 * test/integration/schedules/chaos-mesh-manifests.test.ts.)
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { mapSchedule } from '../../../client/schedules/schedule-mapping.js';
import { readManifestFile } from '../../../manifests/read-manifests.js';

const dir = join(import.meta.dirname, '..', '..', '..', 'examples', 'chaos-mesh');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml'))
  .sort();

describe('examples/chaos-mesh', () => {
  it('has a Workflow and a NetworkChaos Schedule', async () => {
    const types = [];
    for (const f of files)
      types.push(...(await readManifestFile(join(dir, f))).schedulePlans.map((p) => p.type));
    expect(types).toEqual(expect.arrayContaining(['Workflow', 'NetworkChaos']));
  });

  it.each(files)('%s is a Chaos Mesh Schedule that maps to a Temporal Schedule', async (file) => {
    const result = await readManifestFile(join(dir, file));
    expect(result.errors).toEqual([]);
    expect(result.schedulePlans.length).toBeGreaterThan(0);
    for (const plan of result.schedulePlans) {
      expect(plan.source.apiVersion).toBe('chaos-mesh.org/v1alpha1');
      expect(plan.timezone).toBeUndefined();
      expect(plan.jitterMs).toBeUndefined();
      const mapped = mapSchedule(plan, { taskQueue: 'chaosflow', anchor: Date.now() });
      expect(mapped.spec.timezone).toBe('UTC');
      expect(mapped.policies.catchupWindow).toBeGreaterThanOrEqual(10_000);
    }
  });
});
