/**
 * `maxDuration` and `maxRate` bound formatted strings by the Go types Chaos Mesh parses them into; the
 * validators check them in inline code, which must agree with the TypeScript that documents them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rateBytesPerSecond } from '../../../scripts/gen/bound-keywords.js';
import { loadSchemaSet } from '../../../scripts/gen/schema-set.js';
import { schemaErrors } from '../../../manifests/schema-validators.js';

const root = join(import.meta.dirname, '..', '..', '..');
const set = await loadSchemaSet(join(root, 'schemas'));

/** Every object in the schema files with its location (property maps included; they hold no numbers). */
function* nodes(node: unknown, where: string): Generator<[Record<string, unknown>, string]> {
  if (Array.isArray(node)) for (const [i, item] of node.entries()) yield* nodes(item, `${where}/${i}`);
  else if (typeof node === 'object' && node !== null) {
    yield [node as Record<string, unknown>, where];
    for (const [key, value] of Object.entries(node))
      if (key !== 'enum') yield* nodes(value, `${where}/${key}`);
  }
}

function networkChaos(extra: Record<string, unknown>): unknown {
  return {
    apiVersion: 'chaos-mesh.org/v1alpha1',
    kind: 'NetworkChaos',
    metadata: { name: 'n' },
    spec: { mode: 'one', selector: { namespaces: ['a'] }, ...extra },
  };
}

const keywordsOf = (value: unknown) => schemaErrors('NetworkChaos', value).map((e) => e.keyword);

describe('schema bounds', () => {
  it('give every integer and number a minimum and a maximum, within the integers a JavaScript number holds', () => {
    let numbers = 0;
    for (const file of set.files) {
      for (const [schema, where] of nodes(file.schema, file.path)) {
        const types = [schema.type].flat();
        if (!types.includes('integer') && !types.includes('number')) continue;
        numbers++;
        const low = schema.minimum ?? schema.exclusiveMinimum;
        expect(typeof low, `${where} has no minimum`).toBe('number');
        expect(typeof schema.maximum, `${where} has no maximum`).toBe('number');
        expect(Math.abs(low as number), where).toBeLessThanOrEqual(Number.MAX_SAFE_INTEGER);
        expect(Math.abs(schema.maximum as number), where).toBeLessThanOrEqual(Number.MAX_SAFE_INTEGER);
      }
    }
    expect(numbers).toBeGreaterThan(40);
  });

  it('bound every string format with a unit', () => {
    const scalars = set.files.find((f) => f.path.endsWith('scalars.schema.json'))?.schema.definitions as
      Record<string, Record<string, unknown>> | undefined;
    for (const name of ['Duration', 'SignedDuration', 'Latency']) {
      expect(scalars?.[name]?.maxDuration, name).toBe('2562047h47m16.854775807s');
    }
    expect(scalars?.BandwidthRate?.maxRate).toBe('18446744073709551615bps');
  });
});

describe('bound keywords', () => {
  it('refuse a duration past Go int64 nanoseconds and accept one just inside', () => {
    const at = (duration: string) => keywordsOf(networkChaos({ action: 'partition', duration }));
    expect(at('2562047h47m16.854775807s')).toEqual([]);
    expect(at('2562047h')).toEqual([]);
    expect(at('2562048h')).toEqual(['maxDuration']);
    expect(at('2562047h2562047h')).toEqual(['maxDuration']);
    expect(at(`${'9'.repeat(310)}s`)).toEqual(['maxDuration']);
    expect(at('99999999h')).toEqual(['maxDuration']);
  });

  it('refuse a netem latency past a Go duration', () => {
    const at = (latency: string) => keywordsOf(networkChaos({ action: 'delay', delay: { latency } }));
    expect(at('90ms')).toEqual([]);
    expect(at(`${'9'.repeat(310)}ms`)).toEqual(['maxDuration']);
  });

  it('refuse a tc rate past 2^64-1 bytes per second', () => {
    const at = (rate: string) =>
      keywordsOf(networkChaos({ action: 'bandwidth', bandwidth: { rate, limit: 1, buffer: 1 } }));
    expect(at('1mbps')).toEqual([]);
    expect(at('16777215tbps')).toEqual([]);
    // 2^64 itself is 2^64-1 as a float; the next tbps is over.
    expect(at('16777217tbps')).toEqual(['maxRate']);
    expect(at(`${'9'.repeat(310)}bps`)).toEqual(['maxRate']);
  });

  it('use the same units in the generated code as in rateBytesPerSecond', () => {
    const code = readFileSync(join(root, 'manifests', 'generated', 'validators.ts'), 'utf8');
    const table = /\(\{(bit: [^}]*)\}\)\[m\[2\]\.toLowerCase\(\)\]/.exec(code)?.[1];
    expect(table).toBeDefined();
    for (const entry of (table as string).split(', ')) {
      const [unit, value] = entry.split(': ') as [string, string];
      expect(rateBytesPerSecond(`1${unit}`), unit).toBe(Number(value));
    }
  });
});
