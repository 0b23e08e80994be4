/**
 * The schemas follow the rules the generators rely on (schemas/README.md), the generated files are fresh, and
 * the schema `default`s document exactly what the compiler applies.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import {
  INVENTORY_POD_DEFAULT_PHASE,
  IO_CHAOS_DEFAULT_PERCENT,
  MEMORY_STRESSOR_DEFAULT_OOM_SCORE_ADJ,
  NETWORK_CHAOS_DEFAULTS,
  POD_CHAOS_DEFAULT_GRACE_PERIOD,
  RETRY_BACKOFF_DEFAULTS,
  SCHEDULE_DEFAULT_CONCURRENCY_POLICY,
  STATUS_CHECK_DEFAULTS,
  TIME_CHAOS_DEFAULT_CLOCK_IDS,
} from '../../../manifests/defaults.js';
import { loadSchemaSet, resolveRef, type JsonSchema } from '../../../scripts/gen/schema-set.js';

const root = join(import.meta.dirname, '..', '..', '..');
const set = await loadSchemaSet(join(root, 'schemas'));

/**
 * Every sub-schema with its location, `$ref`s not followed. The values of `properties` and `definitions` are
 * schemas, but those maps are not: a property may be called `format`.
 */
function walk(node: unknown, where: string, visit: (schema: JsonSchema, where: string) => void): void {
  if (Array.isArray(node)) node.forEach((item, i) => walk(item, `${where}/${i}`, visit));
  else if (typeof node === 'object' && node !== null) {
    visit(node as JsonSchema, where);
    for (const [key, value] of Object.entries(node)) {
      if (key === 'enum' || key === 'default' || key === 'required') continue;
      if ((key === 'properties' || key === 'definitions') && typeof value === 'object' && value !== null) {
        for (const [name, schema] of Object.entries(value as Record<string, unknown>))
          walk(schema, `${where}/${key}/${name}`, visit);
      } else walk(value, `${where}/${key}`, visit);
    }
  }
}

function property(ref: string, file: string, name: string): JsonSchema {
  const schema = resolveRef(set, ref, `https://chaosflow.dev/schemas/${file}`).schema;
  const value = (schema.properties as Record<string, JsonSchema>)[name];
  if (!value) throw new Error(`${ref} has no property ${name}`);
  return value;
}

describe('schemas/', () => {
  it('regenerating gives exactly the generated files on disk (npm run gen:check)', async () => {
    const run = promisify(execFile);
    const { stdout } = await run(process.execPath, ['--import', 'tsx', 'scripts/gen/gen.ts', '--check'], {
      cwd: root,
    });
    expect(stdout).toMatch(/^gen: [1-9]\d* generated files are up to date$/m);
  }, 120_000);

  it('gives every definition a unique title and every object an explicit additionalProperties', () => {
    const titles: string[] = [];
    for (const file of set.files) {
      for (const def of Object.values((file.schema.definitions ?? {}) as Record<string, JsonSchema>)) {
        titles.push(String(def.title));
      }
      walk(file.schema, file.path, (schema, where) => {
        for (const banned of ['allOf', 'anyOf', 'oneOf', 'if', 'not', 'const', 'uniqueItems', 'format']) {
          expect(schema, `${where} uses ${banned}`).not.toHaveProperty(banned);
        }
        if (schema.type === 'object' && !schema.$ref) {
          expect(schema.additionalProperties, `${where} must say whether it is open`).toBeDefined();
        }
        if (typeof schema.pattern === 'string') {
          expect(typeof schema.description, `${where} has a pattern but no description`).toBe('string');
          expect(schema.pattern, `${where}: the API server runs patterns as RE2`).not.toMatch(
            /\(\?[=!<]|\\[1-9]/,
          );
        }
      });
    }
    expect(new Set(titles).size).toBe(titles.length);
  });

  it('documents as `default` exactly the defaults the compiler applies', () => {
    const sc = (name: string): unknown =>
      property('defs/status-check.schema.json#/definitions/StatusCheckSpec', 'x', name).default;
    expect(sc('mode')).toBe(STATUS_CHECK_DEFAULTS.mode);
    expect(sc('type')).toBe(STATUS_CHECK_DEFAULTS.type);
    expect(sc('timeoutSeconds')).toBe(STATUS_CHECK_DEFAULTS.timeoutSeconds);
    expect(sc('intervalSeconds')).toBe(STATUS_CHECK_DEFAULTS.intervalSeconds);
    expect(sc('failureThreshold')).toBe(STATUS_CHECK_DEFAULTS.failureThreshold);
    expect(sc('successThreshold')).toBe(STATUS_CHECK_DEFAULTS.successThreshold);
    expect(sc('recordsHistoryLimit')).toBe(STATUS_CHECK_DEFAULTS.recordsHistoryLimit);
    expect(
      property('defs/status-check.schema.json#/definitions/StatusCheckHttpSpec', 'x', 'method').default,
    ).toBe(STATUS_CHECK_DEFAULTS.method);
    expect(
      property('network-chaos.schema.json#/definitions/NetworkChaosSpec', 'x', 'direction').default,
    ).toBe(NETWORK_CHAOS_DEFAULTS.direction);
    expect(property('time-chaos.schema.json#/definitions/TimeChaosSpec', 'x', 'clockIds').default).toEqual(
      TIME_CHAOS_DEFAULT_CLOCK_IDS,
    );
    expect(property('io-chaos.schema.json#/definitions/IOChaosSpec', 'x', 'percent').default).toBe(
      IO_CHAOS_DEFAULT_PERCENT,
    );
    expect(property('pod-chaos.schema.json#/definitions/PodChaosSpec', 'x', 'gracePeriod').default).toBe(
      POD_CHAOS_DEFAULT_GRACE_PERIOD,
    );
    expect(property('stress-chaos.schema.json#/definitions/MemoryStressor', 'x', 'oomScoreAdj').default).toBe(
      MEMORY_STRESSOR_DEFAULT_OOM_SCORE_ADJ,
    );
    expect(
      resolveRef(
        set,
        'defs/schedule-spec.schema.json#/definitions/ConcurrencyPolicy',
        'https://chaosflow.dev/schemas/x',
      ).schema.default,
    ).toBe(SCHEDULE_DEFAULT_CONCURRENCY_POLICY);
    expect(property('defs/template.schema.json#/definitions/BackoffSpec', 'x', 'factor').default).toBe(
      RETRY_BACKOFF_DEFAULTS.factor,
    );
    expect(property('inventory.schema.json#/definitions/InventoryPodSpec', 'x', 'phase').default).toBe(
      INVENTORY_POD_DEFAULT_PHASE,
    );
  });

  it('spells the fields the way Chaos Mesh does', () => {
    const template = resolveRef(
      set,
      'defs/template.schema.json#/definitions/Template',
      'https://chaosflow.dev/schemas/x',
    );
    expect(Object.keys(template.schema.properties as object)).toEqual(
      expect.arrayContaining([
        'templateType',
        'conditionalBranches',
        'task',
        'statusCheck',
        'abortWithStatusCheck',
      ]),
    );
    const http = resolveRef(
      set,
      'http-chaos.schema.json#/definitions/HTTPChaosSpec',
      'https://chaosflow.dev/schemas/x',
    );
    expect(Object.keys(http.schema.properties as object)).toEqual(
      expect.arrayContaining(['request_headers', 'response_headers']),
    );
    const check = resolveRef(
      set,
      'defs/status-check.schema.json#/definitions/StatusCheckSpec',
      'https://chaosflow.dev/schemas/x',
    );
    expect(Object.keys(check.schema.properties as object)).toContain('http');
  });
});

describe('generated files', () => {
  it('the validators are self-contained ESM: no require() and no imports', async () => {
    const code = await readFile(join(root, 'manifests/generated/validators.ts'), 'utf8');
    expect(code.startsWith('// @ts-nocheck\n/* Generated by scripts/gen/gen.ts')).toBe(true);
    expect(code).not.toMatch(/\brequire\s*\(/);
    expect(code).not.toMatch(/^\s*import\s/m);
    for (const kind of [
      'Workflow',
      'Schedule',
      'PodChaos',
      'NetworkChaos',
      'StressChaos',
      'IOChaos',
      'TimeChaos',
      'HTTPChaos',
      'DNSChaos',
      'Inventory',
    ]) {
      expect(code).toContain(`export const ${kind} = `);
    }
  });

  it('the types file holds types only and exports the names the rest of the code uses', async () => {
    const code = await readFile(join(root, 'common/generated/manifest-types.ts'), 'utf8');
    expect(code).toMatch(/^\/\* Generated by .* do not edit/);
    expect(code).not.toMatch(/^\s*(import|export (const|function|class|let|var))\s/m);
    const names = [
      'WorkflowManifest',
      'ScheduleManifest',
      'WorkflowSpec',
      'ScheduleSpec',
      'Template',
      'StatusCheckSpec',
      'Task',
      'PodSelector',
      'ContainerSelector',
      'Manifest',
      ...['PodChaos', 'NetworkChaos', 'StressChaos', 'IOChaos', 'TimeChaos', 'HTTPChaos', 'DNSChaos'].flatMap(
        (k) => [`${k}Spec`, `${k}Manifest`],
      ),
    ];
    for (const name of names) expect(code).toMatch(new RegExp(`export (interface|type) ${name}\\b`));
  });
});
