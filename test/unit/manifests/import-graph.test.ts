/** The files of manifests/ import one another one way only: no file reaches itself through its imports. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const dir = join(import.meta.dirname, '..', '..', '..', 'manifests');

function localImports(file: string): string[] {
  const text = readFileSync(join(dir, file), 'utf8');
  return [...text.matchAll(/^(?:import|export)\s[^;]*?from\s+'\.\/([^']+)\.js';/gms)].map(
    (m) => `${m[1]}.ts`,
  );
}

/** Every cycle found by a depth-first walk, each as the list of files it passes through. */
function cycles(graph: ReadonlyMap<string, readonly string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'active' | 'done'>();
  const path: string[] = [];
  const visit = (file: string): void => {
    state.set(file, 'active');
    path.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === 'active') found.push([...path.slice(path.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    path.pop();
    state.set(file, 'done');
  };
  for (const file of graph.keys()) if (!state.has(file)) visit(file);
  return found;
}

describe('manifests/ imports', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts'));
  const graph = new Map(files.map((f) => [f, localImports(f)]));

  it('are read from the files (the checks import one another)', () => {
    expect(graph.get('workflow-checks.ts')).toContain('chaos-checks.ts');
    expect(graph.get('schedule-checks.ts')).toContain('workflow-checks.ts');
  });

  it('form no cycle', () => {
    expect(cycles(graph).map((c) => c.join(' -> '))).toEqual([]);
  });
});
