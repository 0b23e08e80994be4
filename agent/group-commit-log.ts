/**
 * An append-only log file with group commit: every record appended while a flush is under way waits for the
 * next one, and each flush is one `write` and one `fdatasync` for however many records it carries. A caller's
 * `append` resolves only once its record is on disk, so the journal's write-ahead rule (durable before the
 * change runs) holds, while concurrent calls (requests on different targets) share one disk flush instead of
 * paying one each, one after the other.
 *
 * Records are JSON lines. A crash can tear only the last line (one that was never acknowledged), which `read`
 * skips.
 */
import { open, readFile, type FileHandle } from 'node:fs/promises';

interface Waiter {
  readonly line: string;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

export class GroupCommitLog {
  readonly #handle: FileHandle;
  #queue: Waiter[] = [];
  #flushing: Promise<void> | undefined;
  #size: number;
  /** Runs inside a flush, before the batch is written, when the log has grown past its limit. */
  readonly #compact: (() => Promise<void>) | undefined;
  readonly #limitBytes: number;

  private constructor(
    handle: FileHandle,
    size: number,
    compact: (() => Promise<void>) | undefined,
    limit: number,
  ) {
    this.#handle = handle;
    this.#size = size;
    this.#compact = compact;
    this.#limitBytes = limit;
  }

  /**
   * Opens (creating) the log at `file`. `compact`, when given, must make every record so far redundant (the
   * caller has made its own copy durable); the log is then emptied.
   */
  static async open(
    file: string,
    options: { compact?: () => Promise<void>; limitBytes?: number } = {},
  ): Promise<GroupCommitLog> {
    const handle = await open(file, 'a+', 0o600);
    const { size } = await handle.stat();
    return new GroupCommitLog(handle, size, options.compact, options.limitBytes ?? 4 * 1024 * 1024);
  }

  /** Every whole record of the log at `file`, oldest first; a torn or unparsable line is left out. */
  static async read(file: string): Promise<unknown[]> {
    const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return '';
      throw err;
    });
    const records: unknown[] = [];
    for (const line of text.split('\n')) {
      if (line === '') continue;
      try {
        records.push(JSON.parse(line));
      } catch {
        // a line torn by a crash: never acknowledged, so nothing ran on the strength of it
      }
    }
    return records;
  }

  /** Resolves once `record` is on disk, in the same flush as every record appended meanwhile. */
  append(record: object): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#queue.push({ line: `${JSON.stringify(record)}\n`, resolve, reject });
      this.#flushing ??= this.#flushLoop();
    });
  }

  /** Empties the log (its records are durable elsewhere). Only from `compact` or with nothing appending. */
  async truncate(): Promise<void> {
    await this.#handle.truncate(0);
    await this.#handle.sync();
    this.#size = 0;
  }

  async close(): Promise<void> {
    await this.#flushing;
    await this.#handle.close();
  }

  async #flushLoop(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue;
      this.#queue = [];
      try {
        if (this.#compact && this.#size > this.#limitBytes) await this.#compact();
        const text = batch.map((w) => w.line).join('');
        await this.#handle.write(text);
        await this.#handle.datasync();
        this.#size += Buffer.byteLength(text);
        for (const waiter of batch) waiter.resolve();
      } catch (err) {
        for (const waiter of batch) waiter.reject(err);
      }
    }
    this.#flushing = undefined;
  }
}
