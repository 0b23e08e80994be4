/** Loading YAML keeps source positions: any JSON pointer maps back to line:col. */
import { describe, expect, it } from 'vitest';
import { loadManifests } from '../../../manifests/load.js';

const text = `# a comment
---
---
apiVersion: v1
kind: Workflow
spec:
  entry: main
  empty:
  list:
    - name: a
      value: 1
    - { name: b, "x/y": z }
---
~
---
second: doc
`;

describe('loadManifests', () => {
  const loaded = loadManifests(text);

  it('skips empty documents but keeps the index each document has in the file', () => {
    expect(loaded.syntaxErrors).toEqual([]);
    expect(loaded.documents.map((d) => d.index)).toEqual([1, 3]);
    expect(loaded.documents.map((d) => d.position.line)).toEqual([4, 16]);
    expect(loaded.documents[1]?.value).toEqual({ second: 'doc' });
  });

  it('locates values, keys, list items and escaped pointer segments', () => {
    const doc = loaded.documents[0];
    if (!doc) throw new Error('no document');
    expect(doc.locate('/kind')).toEqual({ line: 5, col: 7 });
    expect(doc.locate('/kind', 'key')).toEqual({ line: 5, col: 1 });
    expect(doc.locate('/spec/entry')).toEqual({ line: 7, col: 10 });
    expect(doc.locate('/spec/list/0')).toEqual({ line: 10, col: 7 });
    expect(doc.locate('/spec/list/0/value')).toEqual({ line: 11, col: 14 });
    expect(doc.locate('/spec/list/1/name')).toEqual({ line: 12, col: 15 });
    expect(doc.locate('/spec/list/1/x~1y', 'key')).toEqual({ line: 12, col: 18 });
    expect(doc.locate('/spec/list/1/x~1y')).toEqual({ line: 12, col: 25 });
    expect(doc.locate('')).toEqual({ line: 4, col: 1 });
  });

  it('reports an empty value at its key and a missing field at the key of its parent', () => {
    const doc = loaded.documents[0];
    if (!doc) throw new Error('no document');
    expect(doc.locate('/spec/empty')).toEqual({ line: 8, col: 3 });
    expect(doc.locate('/spec/missing')).toEqual({ line: 6, col: 1 });
    expect(doc.locate('/spec/list/0/missing/deeper')).toEqual({ line: 10, col: 7 });
    expect(doc.locate('/spec/list/7')).toEqual({ line: 9, col: 3 });
  });

  it('places syntax errors and drops only the broken document', () => {
    const broken = loadManifests('a: 1\n---\nb: [1, 2\n---\nc: 3\n');
    expect(broken.documents.map((d) => d.value)).toEqual([{ a: 1 }, { c: 3 }]);
    expect(broken.syntaxErrors.map((e) => [e.document, e.issue.code])).toEqual([[1, 'YAML_SYNTAX']]);
    expect(broken.syntaxErrors[0]?.position.line).toBeGreaterThanOrEqual(3);
  });

  it('resolves aliases when locating', () => {
    const doc = loadManifests('base: &b\n  x: 1\nuse: *b\n').documents[0];
    expect(doc?.value).toEqual({ base: { x: 1 }, use: { x: 1 } });
    expect(doc?.locate('/use/x')).toEqual({ line: 2, col: 6 });
  });
});
