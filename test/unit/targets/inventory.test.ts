import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InventoryError } from '../../../activities/targets/inventory-error.js';
import { InventoryTargetSource } from '../../../activities/targets/inventory.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'chaosflow-inventory-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const inventory = (pods: string) => `nodes:
  - name: node-a
    labels: { zone: a }
    daemon: { address: 127.0.0.1:31767 }
  - name: node-b
    labels: { zone: b }
    daemon: { address: 127.0.0.1:31768 }
pods:
${pods}`;

const pod = (ns: string, name: string, node: string, pid: number) =>
  `  - { namespace: ${ns}, name: ${name}, node: ${node}, labels: { app: web }, containers: [{ name: app, id: "pid://${pid}" }] }\n`;

/** Writes the file and moves its mtime, so a rewrite within the same millisecond is still seen as a change. */
async function write(file: string, text: string, mtimeSeconds: number): Promise<void> {
  await writeFile(file, text);
  await utimes(file, mtimeSeconds, mtimeSeconds);
}

async function errorOf(p: Promise<unknown>): Promise<{ code?: string; message: string }> {
  try {
    await p;
  } catch (err) {
    return err as { code?: string; message: string };
  }
  throw new Error('expected a rejection');
}

describe('InventoryTargetSource', () => {
  it('lists pods, filtered by namespace, node labels and daemons', async () => {
    const file = join(dir, 'inventory.yaml');
    await write(
      file,
      inventory(pod('shop', 'web-0', 'node-a', 11) + pod('lab', 'web-1', 'node-b', 12)),
      1000,
    );
    const source = new InventoryTargetSource(file);
    expect((await source.listPods()).map((p) => p.name)).toEqual(['web-0', 'web-1']);
    expect((await source.listPods(['lab'])).map((p) => p.name)).toEqual(['web-1']);
    expect(await source.nodeLabels()).toEqual({ 'node-a': { zone: 'a' }, 'node-b': { zone: 'b' } });
    expect(await source.daemonFor('node-b')).toEqual({ address: '127.0.0.1:31768' });
  });

  it('refuses a node it does not list', async () => {
    const file = join(dir, 'inventory.yaml');
    await write(file, inventory(''), 1000);
    const err = await errorOf(new InventoryTargetSource(file).daemonFor('node-z'));
    expect(err.code).toBe('INVENTORY_UNKNOWN_NODE');
    expect(err.message).toContain('Known nodes: node-a, node-b');
  });

  it('reads the file again when it changes', async () => {
    const file = join(dir, 'inventory.yaml');
    await write(file, inventory(pod('shop', 'web-0', 'node-a', 11)), 1000);
    const source = new InventoryTargetSource(file);
    expect((await source.listPods()).map((p) => p.containers[0]?.containerId)).toEqual(['pid://11']);
    await write(file, inventory(pod('shop', 'web-0', 'node-a', 99)), 2000);
    expect((await source.listPods()).map((p) => p.containers[0]?.containerId)).toEqual(['pid://99']);
  });

  it('keeps the parsed inventory while the file is unchanged', async () => {
    const file = join(dir, 'inventory.yaml');
    await write(file, inventory(pod('shop', 'web-0', 'node-a', 11)), 1000);
    const source = new InventoryTargetSource(file);
    expect(await source.current()).toBe(await source.current());
  });

  it('fails, rather than using the old content, when an edit makes the file invalid', async () => {
    const file = join(dir, 'inventory.yaml');
    await write(file, inventory(pod('shop', 'web-0', 'node-a', 11)), 1000);
    const source = new InventoryTargetSource(file);
    await source.listPods();
    await write(file, inventory(pod('shop', 'web-0', 'node-c', 11)), 2000);
    const err = await errorOf(source.listPods());
    expect(err.code).toBe('INVENTORY_INVALID');
    expect(err.message).toContain(`${file}:9:`);
    expect(err.message).toContain(
      'error[INVENTORY_NODE_NOT_FOUND] /pods/0/node: node "node-c" is not in `nodes`',
    );
  });

  it('lists every problem in the error, as ManifestErrors, with their count', async () => {
    const file = join(dir, 'inventory.yaml');
    await write(
      file,
      `nodes:\n  - name: a\n    daemon: { address: nowhere }\npods:\n  - { namespace: ns, name: p, node: b, containers: [{ name: c, id: "1" }] }\n`,
      1000,
    );
    const err = (await errorOf(new InventoryTargetSource(file).listPods())) as InventoryError;
    expect(err).toBeInstanceOf(InventoryError);
    expect(err.message).toMatch(
      new RegExp(`^${file.replace(/[.]/g, '\\.')} is not a valid host inventory \\(3 problems\\):\n`),
    );
    expect(err.context.issues.map((i) => `${i.code} ${i.file}:${i.line}:${i.col}`)).toEqual([
      `SCHEMA_PATTERN ${file}:3:24`,
      `INVENTORY_NODE_NOT_FOUND ${file}:5:37`,
      `SCHEMA_PATTERN ${file}:5:68`,
    ]);
    expect(err.message).toContain('\n  fix: ');
  });

  it('says when the file does not exist', async () => {
    const err = await errorOf(new InventoryTargetSource(join(dir, 'missing.yaml')).listPods());
    expect(err.code).toBe('INVENTORY_UNREADABLE');
    expect(err.message).toContain('it does not exist');
  });

  it('checks that TLS files exist, relative to the inventory folder', async () => {
    const file = join(dir, 'inventory.yaml');
    const text = `nodes:
  - name: remote
    daemon:
      address: 10.0.0.5:31767
      tls: { caFile: ca.crt, certFile: tls.crt, keyFile: tls.key }
`;
    await write(file, text, 1000);
    const source = new InventoryTargetSource(file);
    const err = await errorOf(source.nodeLabels());
    expect(err.code).toBe('INVENTORY_INVALID');
    expect(err.message).toContain(
      `${file}:5:22: error[INVENTORY_FILE_UNREADABLE] /nodes/0/daemon/tls/caFile: cannot read ${join(dir, 'ca.crt')}`,
    );
    for (const name of ['ca.crt', 'tls.crt', 'tls.key']) await writeFile(join(dir, name), 'pem');
    await utimes(file, 3000, 3000);
    expect(await source.daemonFor('remote')).toEqual({
      address: '10.0.0.5:31767',
      tls: { caFile: join(dir, 'ca.crt'), certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key') },
    });
  });
});
