/**
 * Every file in `invalid/` declares, in its first line, the errors it must produce (code and line:col), and
 * nothing else may be reported for it. Adding a case is adding a file. Files that are not even YAML end in
 * `.invalid-yaml`, so that the formatter leaves them alone.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MANIFEST_ERROR_CODES } from '../../../manifests/errors.js';
import { readManifestFile, readManifestText } from '../../../manifests/read-manifests.js';
import { expectations as expected } from './fixture-expectations.js';

const dir = join(import.meta.dirname, 'invalid');
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.yaml') || f.endsWith('.invalid-yaml'))
  .sort();

const expectations = (file: string): string[] => expected(dir, file);

describe('invalid manifests', () => {
  it('has at least 40 cases', () => {
    expect(files.length).toBeGreaterThanOrEqual(40);
  });

  it.each(files)(
    '%s reports exactly the expected errors, in file order, at their positions',
    async (file) => {
      const result = await readManifestFile(join(dir, file));
      const got = result.errors.map((e) => `${e.code} ${e.line}:${e.col}`);
      expect(got).toEqual(expectations(file));
      for (const error of result.errors) {
        expect(error.file).toBe(join(dir, file));
        expect(error.message).not.toMatch(/must NOT have|must match pattern|\bat Object\.|\n\s+at /);
        expect(error.fix.length).toBeGreaterThan(5);
      }
      // Only documents without errors compile (multi-document.yaml has one).
      const valid = result.documents.filter((d) => d.valid).length;
      expect(result.compiled).toHaveLength(valid);
      expect(valid).toBe(file === 'multi-document.yaml' ? 1 : 0);
    },
  );

  it('covers every error code but those a file of its own cannot give', () => {
    const covered = new Set(files.flatMap((f) => expectations(f).map((e) => e.split(' ')[0])));
    const missing = MANIFEST_ERROR_CODES.filter((c) => !covered.has(c));
    // FILE_UNREADABLE: tested below. SCHEMA_INVALID: a fallback no schema keyword reaches. The two
    // INVENTORY_ ones only the worker's inventory loader gives (read-inventory.test.ts): validate checks each
    // document of a file on its own, and does not read the TLS files an inventory names. FILE_TOO_LARGE and
    // TOO_MANY_ERRORS need megabytes or hundreds of lines: hostile-input.test.ts makes them.
    expect([...missing].sort()).toEqual([
      'FILE_TOO_LARGE',
      'FILE_UNREADABLE',
      'INVENTORY_FILE_UNREADABLE',
      'INVENTORY_MULTIPLE_DOCUMENTS',
      'SCHEMA_INVALID',
      'TOO_MANY_ERRORS',
    ]);
  });

  it('reports a file that cannot be read as FILE_UNREADABLE without throwing', async () => {
    const result = await readManifestFile(join(dir, 'does-not-exist.yaml'));
    expect(result.errors).toMatchObject([
      { code: 'FILE_UNREADABLE', line: 1, col: 1, message: /no such file/ },
    ]);
  });

  it('never throws on arbitrary text', () => {
    for (const text of [
      '\t\u0000',
      '{',
      'a: [',
      '&a [*a]',
      '- - -',
      '!!binary x',
      ': :',
      'kind: [Workflow]',
    ]) {
      expect(() => readManifestText(text, 'fuzz.yaml')).not.toThrow();
      expect(readManifestText(text, 'fuzz.yaml').errors.length).toBeGreaterThan(0);
    }
  });
});
