/**
 * `npm run gen`: regenerates everything derived from `schemas/` — TS types (`common/generated/`), Ajv
 * validators (`manifests/generated/`) and CRDs (`crds/`) — and from `proto/chaosdaemon.proto` (the daemon
 * contract's types, `proto/generated/`). `npm run gen:check` (`--check`) regenerates in memory, lists the files
 * that differ from what is on disk (or are on disk in a generated folder but no longer generated) and exits 1 if
 * any does.
 */
import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateCrds } from './gen-crds.js';
import { generateProtoTypes, PROTO_GENERATED_DIR } from './gen-proto.js';
import { generateTypes } from './gen-types.js';
import { generateValidators } from './gen-validators.js';
import { loadSchemaSet } from './schema-set.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

async function generateAll(): Promise<Map<string, string>> {
  const set = await loadSchemaSet(join(root, 'schemas'));
  const files = new Map<string, string>();
  files.set('common/generated/manifest-types.ts', await generateTypes(set));
  files.set('manifests/generated/validators.ts', generateValidators(set));
  for (const [name, text] of generateCrds(set)) files.set(`crds/${name}`, text);
  for (const [path, text] of await generateProtoTypes(root)) files.set(path, text);
  return files;
}

/** Folders whose every file is generated: a file there that is no longer generated is stale. */
const GENERATED_DIRS = ['crds', PROTO_GENERATED_DIR];

async function leftovers(files: ReadonlyMap<string, string>): Promise<string[]> {
  const found: string[] = [];
  for (const dir of GENERATED_DIRS) {
    const entries = await readdir(join(root, dir), { withFileTypes: true, recursive: true }).catch(() => []);
    for (const entry of entries) {
      if (!entry.isFile()) continue;
      const path = relative(root, join(entry.parentPath, entry.name));
      if (!files.has(path)) found.push(path);
    }
  }
  return found;
}

async function main(check: boolean): Promise<number> {
  const files = await generateAll();
  const stale: string[] = [];
  for (const [path, text] of files) {
    const full = join(root, path);
    const current = await readFile(full, 'utf8').catch(() => undefined);
    if (current === text) continue;
    stale.push(path);
    if (!check) {
      await mkdir(dirname(full), { recursive: true });
      await writeFile(full, text);
    }
  }
  for (const path of await leftovers(files)) {
    stale.push(path);
    if (!check) await rm(join(root, path));
  }
  if (check) {
    if (stale.length === 0) {
      process.stdout.write(`gen: ${files.size} generated files are up to date\n`);
      return 0;
    }
    process.stderr.write(
      `gen: stale generated files (run \`npm run gen\`):\n${stale.map((p) => `  ${p}\n`).join('')}`,
    );
    return 1;
  }
  const changed = stale.length === 0 ? 'none changed' : `changed: ${stale.join(', ')}`;
  process.stdout.write(
    `gen: wrote ${files.size} files under ${relative(process.cwd(), root) || '.'} (${changed})\n`,
  );
  return 0;
}

process.exitCode = await main(process.argv.includes('--check'));
