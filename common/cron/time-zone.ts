/**
 * IANA time zones for the cron code, from the ICU data built into the JavaScript engine (`Intl`), which is
 * available in the Temporal workflow sandbox and needs no Node API. Offsets are looked up per hour of UTC and
 * cached, so walking a year of fire times costs a few thousand `Intl` calls, not millions.
 *
 * The time zone database of the worker's Node binary may differ from the Temporal server's (or Chaos Mesh's
 * controller's) when a government changes its rules; fire times near such a change can then differ.
 */

export interface TimeZone {
  /** The name as written in the expression or the manifest. */
  readonly name: string;
  /** Milliseconds to add to a UTC instant to get the wall-clock time in this zone at that instant. */
  offsetAt(utcMs: number): number;
}

export type TimeZoneLookup = { ok: true; zone: TimeZone } | { ok: false; problem: string; hint: string };

const HOUR_MS = 3_600_000;
const MAX_CACHED_HOURS = 200_000;
const OFFSET_TEXT = /^(?:GMT|UTC)(?:([+\-\u2212])(\d{1,2})(?::?(\d{2}))?(?::?(\d{2}))?)?$/;

const zones = new Map<string, TimeZone>();

/**
 * Finds a zone by its IANA name. Names are case-sensitive, as they are for Go's `time.LoadLocation` (Chaos Mesh)
 * and the Temporal server, although ICU itself would accept `america/new_york`.
 */
export function lookupTimeZone(name: string): TimeZoneLookup {
  const cached = zones.get(name);
  if (cached) return { ok: true, zone: cached };
  if (name === 'UTC') {
    const utc: TimeZone = { name, offsetAt: () => 0 };
    zones.set(name, utc);
    return { ok: true, zone: utc };
  }
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', { timeZone: name, timeZoneName: 'longOffset' });
  } catch {
    return {
      ok: false,
      problem: `unknown time zone "${name}"`,
      hint: 'Use an IANA time zone name such as UTC, Europe/Berlin or America/New_York.',
    };
  }
  const resolved = format.resolvedOptions().timeZone;
  if (resolved !== name && resolved.toLowerCase() === name.toLowerCase()) {
    return {
      ok: false,
      problem: `time zone "${name}" is spelled with the wrong case`,
      hint: `Time zone names are case-sensitive: write "${resolved}".`,
    };
  }
  const zone = new CachedZone(name, format);
  zones.set(name, zone);
  return { ok: true, zone };
}

interface HourBucket {
  before: number;
  after: number;
  /** First instant (ms) with the `after` offset, when the offset changes within this hour. */
  change?: number;
}

class CachedZone implements TimeZone {
  private readonly hours = new Map<number, HourBucket>();
  private lastHour = Number.NaN;
  private lastBucket: HourBucket = { before: 0, after: 0 };

  constructor(
    readonly name: string,
    private readonly format: Intl.DateTimeFormat,
  ) {}

  offsetAt(utcMs: number): number {
    const hour = Math.floor(utcMs / HOUR_MS);
    let bucket = hour === this.lastHour ? this.lastBucket : this.hours.get(hour);
    if (!bucket) {
      bucket = this.measure(hour);
      if (this.hours.size >= MAX_CACHED_HOURS) this.hours.clear();
      this.hours.set(hour, bucket);
    }
    this.lastHour = hour;
    this.lastBucket = bucket;
    return bucket.change !== undefined && utcMs >= bucket.change ? bucket.after : bucket.before;
  }

  // Assumes at most one offset change per hour, which holds for every zone since the railway-time era.
  private measure(hour: number): HourBucket {
    const start = hour * HOUR_MS;
    const before = this.hours.get(hour - 1)?.after ?? this.rawOffset(start);
    const after = this.rawOffset(start + HOUR_MS);
    if (before === after) return { before, after };
    let lo = start; // has `before`
    let hi = start + HOUR_MS; // has `after`
    while (hi - lo > 1000) {
      const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
      if (this.rawOffset(mid) === before) lo = mid;
      else hi = mid;
    }
    return { before, after, change: hi };
  }

  private rawOffset(utcMs: number): number {
    const text = this.format.formatToParts(utcMs).find((p) => p.type === 'timeZoneName')?.value ?? '';
    const m = OFFSET_TEXT.exec(text);
    if (!m) throw new Error(`cannot read the UTC offset "${text}" of time zone ${this.name}`);
    const [, sign, h, min, sec] = m;
    if (sign === undefined) return 0;
    const ms = (Number(h) * 3600 + Number(min ?? 0) * 60 + Number(sec ?? 0)) * 1000;
    return sign === '+' ? ms : -ms;
  }
}

export interface ZoneQuirks {
  /** The clocks move by a fraction of an hour (Australia/Lord_Howe: 30 minutes). */
  shiftsByFractionOfHour: boolean;
  /**
   * The zone has daylight saving time and its standard offset is UTC or east of it, so Go's `time.Date` reads a
   * wall-clock time that happens twice as its second occurrence (west of UTC: the first). The Temporal server's
   * calendar code builds on that, and on the night the clocks go back it misses one of the two passes.
   */
  repeatedTimeResolvesLate: boolean;
}

/** Sampled in January and July of 2020-2040, which catches daylight saving time in both hemispheres. */
export function zoneQuirks(zone: TimeZone): ZoneQuirks {
  const offsets = new Set<number>();
  for (let year = 2020; year <= 2040; year++) {
    offsets.add(zone.offsetAt(Date.UTC(year, 0, 15, 12)));
    offsets.add(zone.offsetAt(Date.UTC(year, 6, 15, 12)));
  }
  const list = [...offsets];
  return {
    shiftsByFractionOfHour: list.some((a) => list.some((b) => (a - b) % HOUR_MS !== 0)),
    repeatedTimeResolvesLate: list.length > 1 && Math.min(...list) >= 0,
  };
}
