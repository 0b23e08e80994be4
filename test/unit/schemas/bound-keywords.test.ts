/**
 * `maxDuration` and `maxRate` bound formatted strings by the Go types Chaos Mesh parses them into; the
 * validators check them in inline code, which must agree with the TypeScript that documents them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { rateBytesPerSecond } from '../../../scripts/gen/bound-keywords.js';
import { schemaErrors } from '../../../manifests/schema-validators.js';

const root = join(import.meta.dirname, '..', '..', '..');

function networkChaos(extra: Record<string, unknown>): unknown {
  return {
    apiVersion: 'chaos-mesh.org/v1alpha1',
    kind: 'NetworkChaos',
    metadata: { name: 'n' },
    spec: { mode: 'one', selector: { namespaces: ['a'] }, ...extra },
  };
}

const keywordsOf = (value: unknown) => schemaErrors('NetworkChaos', value).map((e) => e.keyword);

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
