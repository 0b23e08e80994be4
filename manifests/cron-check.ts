/**
 * A parse check of Chaos Mesh's cron dialect, following robfig/cron v3's parser with `SecondOptional | Minute
 * | Hour | Dom | Month | Dow | Descriptor`: 5 fields, or 6 with seconds first; `*`, `?`, lists, ranges,
 * `/step` (`N/step` means N to the maximum), month and weekday names; `@yearly` `@annually` `@monthly`
 * `@weekly` `@daily` `@midnight` `@hourly` and `@every <Go duration>`; a `TZ=` or `CRON_TZ=` prefix. The
 * translation to Temporal lives in `common/cron/`; this only says whether a string parses, and why not.
 */
import { parseGoDuration } from '../common/duration.js';

interface FieldBounds {
  name: string;
  min: number;
  max: number;
  names?: Readonly<Record<string, number>>;
}

const MONTHS = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  oct: 10,
  nov: 11,
  dec: 12,
};
const DAYS = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };

const FIELDS: readonly FieldBounds[] = [
  { name: 'second', min: 0, max: 59 },
  { name: 'minute', min: 0, max: 59 },
  { name: 'hour', min: 0, max: 23 },
  { name: 'day of month', min: 1, max: 31 },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day of week', min: 0, max: 6, names: DAYS },
];

const DESCRIPTORS = new Set([
  '@yearly',
  '@annually',
  '@monthly',
  '@weekly',
  '@daily',
  '@midnight',
  '@hourly',
]);

export interface CronProblem {
  message: string;
}

/** Undefined when the expression parses. */
export function checkCron(expression: string): CronProblem | undefined {
  let spec = expression.trim();
  if (spec === '') return { message: 'the schedule is empty' };
  const zone = /^(?:CRON_TZ|TZ)=(\S*)/.exec(spec);
  if (zone) {
    const rest = spec.slice(zone[0].length);
    if (!/^\s/.test(rest)) return { message: 'a TZ= prefix must be followed by a space and the schedule' };
    if (!isTimeZone(zone[1] ?? '')) return { message: `unknown time zone ${JSON.stringify(zone[1])}` };
    spec = rest.trim();
  }
  if (spec.startsWith('@')) return checkDescriptor(spec);
  const fields = spec.split(/\s+/);
  if (fields.length !== 5 && fields.length !== 6) {
    return { message: `expected 5 fields (or 6 with seconds first), found ${fields.length}` };
  }
  const bounds = fields.length === 6 ? FIELDS : FIELDS.slice(1);
  for (const [i, field] of fields.entries()) {
    const problem = checkField(field, bounds[i] as FieldBounds);
    if (problem) return problem;
  }
  return undefined;
}

function checkDescriptor(spec: string): CronProblem | undefined {
  if (spec.startsWith('@every ')) {
    const text = spec.slice('@every '.length).trim();
    const ms = parseGoDuration(text);
    if (ms === undefined)
      return { message: `@every needs a Go duration such as 5s or 1h30m, found ${JSON.stringify(text)}` };
    if (ms <= 0) return { message: '@every needs a positive duration' };
    return undefined;
  }
  if (DESCRIPTORS.has(spec)) return undefined;
  return {
    message: `unknown descriptor ${JSON.stringify(spec)}; use ${[...DESCRIPTORS].join(', ')} or @every <duration>`,
  };
}

function checkField(field: string, bounds: FieldBounds): CronProblem | undefined {
  for (const expr of field.split(',')) {
    const problem = checkRange(expr, bounds);
    if (problem) return { message: `${bounds.name} field ${JSON.stringify(field)}: ${problem}` };
  }
  return undefined;
}

function checkRange(expr: string, bounds: FieldBounds): string | undefined {
  const rangeAndStep = expr.split('/');
  const lowAndHigh = (rangeAndStep[0] ?? '').split('-');
  let start: number | undefined;
  let end: number | undefined;
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
    if (lowAndHigh.length > 1) return `"${expr}" mixes * with a range`;
    start = bounds.min;
    end = bounds.max;
  } else {
    if (lowAndHigh.length > 2) return `too many hyphens in "${expr}"`;
    start = value(lowAndHigh[0] ?? '', bounds);
    end = lowAndHigh.length === 2 ? value(lowAndHigh[1] ?? '', bounds) : start;
    if (start === undefined || end === undefined)
      return `"${expr}" is not a number${bounds.names ? ' or a name' : ''}`;
  }
  if (rangeAndStep.length > 2) return `too many slashes in "${expr}"`;
  if (rangeAndStep.length === 2) {
    const step = /^\d+$/.test(rangeAndStep[1] ?? '') ? Number(rangeAndStep[1]) : undefined;
    if (step === undefined || step === 0) return `the step of "${expr}" must be a positive number`;
    if (lowAndHigh.length === 1) end = bounds.max;
  }
  if (start < bounds.min) return `${start} is below the minimum ${bounds.min}`;
  if (end > bounds.max) return `${end} is above the maximum ${bounds.max}`;
  if (start > end) return `the range "${expr}" starts after it ends`;
  return undefined;
}

function value(text: string, bounds: FieldBounds): number | undefined {
  const named = bounds.names?.[text.toLowerCase()];
  if (named !== undefined) return named;
  return /^\d+$/.test(text) ? Number(text) : undefined;
}

export function isTimeZone(name: string): boolean {
  if (name === '') return false;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
