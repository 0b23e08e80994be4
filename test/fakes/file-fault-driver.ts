import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import type { FaultBatch, FaultBatchResult } from '../../activities/contract.js';
import type { FaultDriver } from '../../activities/faults/fault-driver.js';
import type { ChaosKind } from '../../common/chaos-kinds.js';

/**
 * FAKE fault driver whose record survives the process: every inject and recover is appended to a JSON-lines
 * file, so a test can kill a worker with SIGKILL and still see what it injected and what a later worker recovered.
 */
export class FileFaultDriver implements FaultDriver<ChaosKind> {
  constructor(private readonly file: string) {}

  inject(batch: FaultBatch): Promise<FaultBatchResult> {
    return Promise.resolve(this.#record('inject', batch));
  }

  recover(batch: FaultBatch): Promise<FaultBatchResult> {
    return Promise.resolve(this.#record('recover', batch));
  }

  #record(op: 'inject' | 'recover', batch: FaultBatch): FaultBatchResult {
    for (const { key } of batch.targets)
      appendFileSync(this.file, `${JSON.stringify({ op, key, pid: process.pid })}\n`);
    return { results: batch.targets.map(({ key }) => ({ key, ok: true })) };
  }
}

export interface FaultLogLine {
  op: 'inject' | 'recover';
  key: string;
  pid: number;
}

export function readFaultLog(file: string): FaultLogLine[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as FaultLogLine);
}

/** Keys injected and not recovered afterwards. */
export function stillInjected(lines: readonly FaultLogLine[]): string[] {
  const active = new Set<string>();
  for (const { op, key } of lines) {
    if (op === 'inject') active.add(key);
    else active.delete(key);
  }
  return [...active];
}
