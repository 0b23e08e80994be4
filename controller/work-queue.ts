/**
 * A keyed work queue, as controllers have them: a key is processed by one worker at a time; adding a key that
 * is waiting changes nothing, adding one that is being processed runs it once more afterwards; a failure retries
 * with backoff (0.5 s doubling to 30 s); a success may ask to run again after a delay.
 */
export type Work = (key: string) => Promise<{ requeueAfterMs?: number } | void>;

interface Entry {
  timer?: NodeJS.Timeout;
  dueAt: number;
}

const BACKOFF_START_MS = 500;
const BACKOFF_MAX_MS = 30_000;

export class WorkQueue {
  readonly #ready: string[] = [];
  readonly #waiting = new Map<string, Entry>();
  readonly #active = new Set<string>();
  readonly #dirty = new Set<string>();
  readonly #failures = new Map<string, number>();
  #workers = 0;
  #stopped = false;
  #paused = true;

  constructor(
    private readonly work: Work,
    private readonly concurrency: number,
    private readonly onError: (key: string, err: unknown) => void,
  ) {}

  /** Processing happens only while started (the controller starts it while it leads). */
  start(): void {
    this.#paused = false;
    this.#pump();
  }

  pause(): void {
    this.#paused = true;
  }

  add(key: string, afterMs = 0): void {
    if (this.#stopped) return;
    if (this.#active.has(key)) {
      if (afterMs === 0) this.#dirty.add(key);
      else this.#schedule(key, afterMs);
      return;
    }
    this.#schedule(key, afterMs);
  }

  stop(): void {
    this.#stopped = true;
    for (const entry of this.#waiting.values()) clearTimeout(entry.timer);
    this.#waiting.clear();
    this.#ready.length = 0;
  }

  /** Resolves when no key is being processed (for a clean shutdown). */
  async idle(): Promise<void> {
    while (this.#active.size > 0) await new Promise((resolve) => setTimeout(resolve, 20));
  }

  #schedule(key: string, afterMs: number): void {
    const dueAt = Date.now() + afterMs;
    const existing = this.#waiting.get(key);
    if (existing && existing.dueAt <= dueAt) return;
    if (existing) clearTimeout(existing.timer);
    if (afterMs <= 0) {
      this.#waiting.delete(key);
      if (!this.#ready.includes(key)) this.#ready.push(key);
      this.#pump();
      return;
    }
    const entry: Entry = { dueAt };
    entry.timer = setTimeout(() => {
      this.#waiting.delete(key);
      if (!this.#ready.includes(key)) this.#ready.push(key);
      this.#pump();
    }, afterMs);
    this.#waiting.set(key, entry);
  }

  #pump(): void {
    while (!this.#paused && !this.#stopped && this.#workers < this.concurrency) {
      const index = this.#ready.findIndex((k) => !this.#active.has(k));
      if (index < 0) return;
      const [key] = this.#ready.splice(index, 1) as [string];
      this.#workers += 1;
      this.#active.add(key);
      void this.#run(key);
    }
  }

  async #run(key: string): Promise<void> {
    try {
      const result = await this.work(key);
      this.#failures.delete(key);
      if (result?.requeueAfterMs !== undefined) this.#schedule(key, result.requeueAfterMs);
    } catch (err) {
      const failures = (this.#failures.get(key) ?? 0) + 1;
      this.#failures.set(key, failures);
      this.onError(key, err);
      this.#schedule(key, Math.min(BACKOFF_START_MS * 2 ** (failures - 1), BACKOFF_MAX_MS));
    } finally {
      this.#active.delete(key);
      this.#workers -= 1;
      if (this.#dirty.delete(key)) this.#schedule(key, 0);
      this.#pump();
    }
  }
}
