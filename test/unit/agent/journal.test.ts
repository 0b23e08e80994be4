import { appendFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Journal, type JournalEntry } from '../../../agent/journal.js';

const entry = (key: string, chains: string[]): JournalEntry => ({
  version: 1,
  key,
  keySource: 'metadata',
  target: { containerId: 'pid://42', pid: 42, startTimeMs: 1 },
  state: 'applying',
  lastRpc: 'SetIptablesChains',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  network: { netns: { dev: 4, inode: 9 }, ipsets: [], desiredIpsets: [], chains, tcDevices: [] },
});

describe('Journal', () => {
  let stateDir: string;
  beforeEach(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'chaosflow-journal-'));
  });
  afterEach(async () => {
    await rm(stateDir, { recursive: true, force: true });
  });
  const files = async (): Promise<string[]> =>
    (await readdir(join(stateDir, 'journal'))).filter((f) => f.endsWith('.json'));

  it('commits concurrent writes together and keeps one readable file per entry', async () => {
    const journal = await Journal.open(stateDir, () => undefined);
    await Promise.all(Array.from({ length: 50 }, (_, i) => journal.put(entry(`run/node/${i}`, [`c${i}`]))));
    await journal.remove('run/node/7');
    expect(await files()).toHaveLength(49);
    const one = JSON.parse(await readFile(journal.fileOf('run/node/3'), 'utf8')) as JournalEntry;
    expect(one.network?.chains).toEqual(['c3']);
    await journal.close();

    const reopened = await Journal.open(stateDir, () => undefined);
    expect(reopened.entries()).toHaveLength(49);
    expect(reopened.get('run/node/7')).toBeUndefined();
    await reopened.close();
  });

  it('keeps the last of many concurrent writes of one key, on disk and after reopening, with no temp file left', async () => {
    const journal = await Journal.open(stateDir, () => undefined);
    const key = 'run/node/same';
    const values = Array.from({ length: 200 }, (_, i) => `v${i}`);
    // All issued at once (a lease recovery, a collect of sets and a call can write one key at the same moment).
    await Promise.all(values.map((v) => journal.put(entry(key, [v]))));
    const last = values.at(-1);
    expect(journal.get(key)?.network?.chains).toEqual([last]);
    const onDisk = JSON.parse(await readFile(journal.fileOf(key), 'utf8')) as JournalEntry;
    expect(onDisk.network?.chains).toEqual([last]);
    expect(await readdir(join(stateDir, 'journal'))).toEqual(expect.arrayContaining(['log.jsonl']));
    expect(await readdir(join(stateDir, 'journal'))).toHaveLength(2);

    // Writes and a removal interleaved: the removal, issued last, wins.
    await Promise.all([...values.slice(0, 50).map((v) => journal.put(entry(key, [v]))), journal.remove(key)]);
    expect(journal.get(key)).toBeUndefined();
    expect(await files()).toEqual([]);
    await Promise.all(values.map((v) => journal.put(entry(key, [v]))));
    await journal.close();

    // What a crash between a write and its rename leaves (pid 4194305 is above any pid_max): removed on open.
    await writeFile(`${journal.fileOf(key)}.4194305.3.tmp`, '{"vers');
    await writeFile(`${journal.fileOf(key)}.tmp`, '{"vers');
    const reopened = await Journal.open(stateDir, () => undefined);
    expect(reopened.get(key)?.network?.chains).toEqual([last]);
    expect((await readdir(join(stateDir, 'journal'))).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    await reopened.close();
  });

  it('replays its log over entry files a crash left behind: the last record wins, a torn line is skipped', async () => {
    const journal = await Journal.open(stateDir, () => undefined);
    await journal.put(entry('a', ['old']));
    await journal.put(entry('b', ['b']));
    await journal.put(entry('a', ['new']));
    await journal.close();
    // What a crash can leave: a's file older than its last record, b's torn (never fsynced on its own), a
    // removal of c whose file is still there, and a last log line written halfway.
    await writeFile(journal.fileOf('a'), JSON.stringify(entry('a', ['old'])));
    await writeFile(journal.fileOf('b'), '{"vers');
    await writeFile(journal.fileOf('c'), JSON.stringify(entry('c', ['c'])));
    await appendFile(join(stateDir, 'journal', 'log.jsonl'), '{"removed":"c"}\n{"put":{"version":1,"ke');

    const bad: string[] = [];
    const reopened = await Journal.open(stateDir, (file) => bad.push(file));
    expect(bad).toEqual([]);
    expect(reopened.get('a')?.network?.chains).toEqual(['new']);
    expect(reopened.get('b')?.network?.chains).toEqual(['b']);
    expect(reopened.get('c')).toBeUndefined();
    // The files are made right again and the log emptied.
    expect(await files()).toHaveLength(2);
    expect((JSON.parse(await readFile(journal.fileOf('a'), 'utf8')) as JournalEntry).network?.chains).toEqual(
      ['new'],
    );
    expect(await readFile(join(stateDir, 'journal', 'log.jsonl'), 'utf8')).toBe('');
    await reopened.close();
  });

  it('reads entry files of an agent that had no log (an upgrade in the middle of a fault)', async () => {
    const first = await Journal.open(stateDir, () => undefined);
    await first.close();
    await rm(join(stateDir, 'journal', 'log.jsonl'));
    await writeFile(first.fileOf('legacy'), JSON.stringify(entry('legacy', ['x'])));
    const journal = await Journal.open(stateDir, () => undefined);
    expect(journal.get('legacy')?.network?.chains).toEqual(['x']);
    await journal.close();
  });
});
