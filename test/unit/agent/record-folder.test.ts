import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RecordFolder } from '../../../agent/record-folder.js';

interface Lease {
  readonly key: string;
  readonly renewal: number;
}
const isLease = (value: unknown): value is Lease =>
  typeof (value as Lease).key === 'string' && typeof (value as Lease).renewal === 'number';

describe('RecordFolder', () => {
  let dir: string;
  beforeEach(async () => {
    dir = join(await mkdtemp(join(tmpdir(), 'chaosflow-records-')), 'leases');
  });
  afterEach(async () => {
    await rm(join(dir, '..'), { recursive: true, force: true });
  });

  it('keeps the last of many concurrent writes of one key, on disk and in memory, with no temp file left', async () => {
    const folder = await RecordFolder.open(dir, isLease, () => undefined);
    const renewals = Array.from({ length: 200 }, (_, i) => i);
    await Promise.all(renewals.map((renewal) => folder.put({ key: 'k', renewal }, { durable: false })));
    expect(folder.get('k')?.renewal).toBe(199);
    const files = await readdir(dir);
    expect(files).toHaveLength(1);
    expect((JSON.parse(await readFile(join(dir, files[0] as string), 'utf8')) as Lease).renewal).toBe(199);

    await Promise.all([...renewals.map((renewal) => folder.put({ key: 'k', renewal })), folder.remove('k')]);
    expect(folder.get('k')).toBeUndefined();
    expect(await readdir(dir)).toEqual([]);
  });

  it('removes on open the temp files no write will rename: a gone process, the older single name', async () => {
    const first = await RecordFolder.open(dir, isLease, () => undefined);
    await first.put({ key: 'k', renewal: 1 });
    const [file] = await readdir(dir);
    // pid 4194305 is above the largest pid_max Linux allows, so no process has it.
    await writeFile(join(dir, `${file}.4194305.7.tmp`), '{"key":"k","ren');
    await writeFile(join(dir, `${file}.tmp`), '{');
    const live = `${file}.${process.pid}.1000000.tmp`;
    await writeFile(join(dir, live), '{');
    const bad: string[] = [];
    const reopened = await RecordFolder.open(dir, isLease, (f) => bad.push(f));
    expect(bad).toEqual([]);
    expect(reopened.get('k')?.renewal).toBe(1);
    expect((await readdir(dir)).sort()).toEqual([file, live].sort());
  });
});
