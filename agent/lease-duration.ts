/**
 * The length of a lease, as the agent's `--lease` and an inject's `chaosflow-lease` metadata give it: a Go
 * duration (`60s`, `5m`, `1h`) between 1 s and 24 h. `--lease 0` turns leases off for the agent; a request
 * cannot turn off its own lease.
 */
import { parseGoDuration } from '../common/duration.js';

export const DEFAULT_LEASE_MS = 60_000;
export const MIN_LEASE_MS = 1_000;
export const MAX_LEASE_MS = 24 * 3_600_000;

/** Milliseconds, or a sentence saying what is wrong with `text` (without naming where it came from). */
export function parseLeaseDuration(text: string): number | string {
  const ms = parseGoDuration(text.trim());
  if (ms === undefined) {
    return `${JSON.stringify(text.slice(0, 40))} is not a duration; write it like 60s, 5m or 1h30m`;
  }
  if (ms < MIN_LEASE_MS || ms > MAX_LEASE_MS) {
    return `${JSON.stringify(text.slice(0, 40))} is out of range: a lease lasts from 1s to 24h`;
  }
  return Math.round(ms);
}
