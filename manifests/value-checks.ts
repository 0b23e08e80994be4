/** Checks of single values that the schema cannot express: durations > 0, percent ranges, status codes, URLs. */
import { parseGoDuration } from '../common/duration.js';
import type { ManifestIssue } from './errors.js';

/** `value` is schema-valid (a Go duration); a deadline or duration of 0 would end the node before it starts. */
export function checkPositiveDuration(
  value: string | undefined,
  pointer: string,
  issues: ManifestIssue[],
): void {
  if (value === undefined) return;
  const ms = parseGoDuration(value);
  if (ms !== undefined && ms > 0) return;
  issues.push({
    code: 'DURATION_NOT_POSITIVE',
    pointer,
    message: `${JSON.stringify(value)} is not a positive duration`,
    fix: 'use a duration greater than zero, such as 30s or 5m',
  });
}

/** Percent strings (`"25"`, `"12.5"`) are 0..100. */
export function checkPercent(value: string | undefined, pointer: string, issues: ManifestIssue[]): void {
  if (value === undefined) return;
  const n = Number(value);
  if (Number.isFinite(n) && n >= 0 && n <= 100) return;
  issues.push({
    code: 'PERCENT_OUT_OF_RANGE',
    pointer,
    message: `${JSON.stringify(value)} is not a percentage between 0 and 100`,
    fix: 'write a number from 0 to 100 in quotes, such as "25" or "12.5"',
  });
}

export interface StatusCodeRange {
  min: number;
  max: number;
}

/** `"200"` -> 200..200, `"200-399"` -> 200..399; codes are 1..999 and min <= max. */
export function parseStatusCodeRange(text: string): StatusCodeRange | undefined {
  const match = /^(\d+)(?:-(\d+))?$/.exec(text.trim());
  if (!match) return undefined;
  const min = Number(match[1]);
  const max = match[2] === undefined ? min : Number(match[2]);
  if (min < 1 || max > 999 || min > max) return undefined;
  return { min, max };
}

export function checkStatusCode(text: string, pointer: string, issues: ManifestIssue[]): void {
  if (parseStatusCodeRange(text)) return;
  issues.push({
    code: 'STATUS_CODE_INVALID',
    pointer,
    message: `${JSON.stringify(text)} is not a status code or an inclusive range of codes 1..999`,
    fix: 'write one code such as "200" or a range such as "200-399" (low first)',
  });
}

export function checkHttpUrl(url: string, pointer: string, issues: ManifestIssue[]): void {
  let ok = false;
  try {
    const parsed = new URL(url);
    ok = (parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.hostname !== '';
  } catch {
    ok = false;
  }
  if (ok) return;
  issues.push({
    code: 'URL_INVALID',
    pointer,
    message: `${JSON.stringify(url)} is not an absolute http or https URL`,
    fix: 'write the full URL, such as http://10.200.0.2:8080/healthz',
  });
}

const DNS_LABEL = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const DNS_SUBDOMAIN = new RegExp(`^${DNS_LABEL}(\\.${DNS_LABEL})*$`);

export function isDns1123Subdomain(name: string): boolean {
  return name.length <= 253 && DNS_SUBDOMAIN.test(name);
}
