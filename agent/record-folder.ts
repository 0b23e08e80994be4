/**
 * A folder of small JSON records, one file per key (`<sha256(key)[0:32]>.json`), written like the journal's
 * entries (a temp file of the write's own, fsync, rename: `atomic-file.ts`) so that a crash leaves the old record
 * or the new one, never half of one. Writes of one key (a lease renewed by two calls at once) are ordered as
 * they were issued, so the last one is the one kept, on disk and in memory. Unreadable files are reported and
 * skipped.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { errorMessage } from '../common/errors/chaosflow-error.js';
import { removeStrayTempFiles, writeFileAtomically } from './atomic-file.js';
import { KeyedLock } from './keyed-lock.js';

export class RecordFolder<R extends { readonly key: string }> {
  readonly #records = new Map<string, R>();
  readonly #order = new KeyedLock();

  private constructor(readonly dir: string) {}

  static async open<R extends { readonly key: string }>(
    dir: string,
    isRecord: (value: unknown) => value is R,
    onBadFile: (file: string, reason: string) => void,
  ): Promise<RecordFolder<R>> {
    const folder = new RecordFolder<R>(dir);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    await removeStrayTempFiles(dir);
    for (const file of await readdir(dir)) {
      if (!file.endsWith('.json')) continue;
      try {
        const value: unknown = JSON.parse(await readFile(join(dir, file), 'utf8'));
        if (!isRecord(value)) throw new Error('unknown format');
        folder.#records.set(value.key, value);
      } catch (err) {
        onBadFile(join(dir, file), errorMessage(err));
      }
    }
    return folder;
  }

  get(key: string): R | undefined {
    return this.#records.get(key);
  }

  values(): R[] {
    return [...this.#records.values()];
  }

  /**
   * `durable: false` skips the fsync: the record survives a crash of the process (the page cache keeps it), not
   * a crash of the machine. Lease renewals use it, being frequent and superseded by the next one.
   */
  async put(record: R, options: { durable?: boolean } = {}): Promise<void> {
    await this.#order.run(record.key, async () => {
      await writeFileAtomically(this.#fileOf(record.key), `${JSON.stringify(record, null, 2)}\n`, {
        durable: options.durable !== false,
      });
      this.#records.set(record.key, record);
    });
  }

  async remove(key: string): Promise<void> {
    await this.#order.run(key, async () => {
      if (!this.#records.has(key)) return;
      await rm(this.#fileOf(key), { force: true });
      this.#records.delete(key);
    });
  }

  #fileOf(key: string): string {
    return join(this.dir, `${createHash('sha256').update(key).digest('hex').slice(0, 32)}.json`);
  }
}
