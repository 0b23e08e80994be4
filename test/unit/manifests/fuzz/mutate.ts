/**
 * Deterministic mutations of manifest text for the fuzz test: line and character edits that break YAML in the
 * ways people and tools do (indentation, quotes, CR line endings, binary bytes), values swapped for the
 * extremes the checks must bound (310-digit numbers, `99999999h`, megabyte strings), and rare amplifiers
 * (thousands of repeated lines, deep brackets, alias bombs, long expressions). Every choice comes from one
 * seeded PRNG, so an input is rebuilt from its seed and index alone.
 */
import { parse, stringify } from 'yaml';
import { seededRandom } from '../../../harness/seeded-random.js';

/** The fuzz's PRNG: mulberry32 (`test/harness/seeded-random.ts`). */
export const prng = seededRandom;

/** The PRNG of input `index` under `seed`: inputs do not depend on one another. */
export function inputRandom(seed: number, index: number): () => number {
  return prng(Math.imul(seed ^ 0x9e3779b9, 2654435761) ^ Math.imul(index + 1, 0x85ebca6b));
}

type Random = () => number;

const int = (r: Random, n: number): number => Math.floor(r() * n);
const pick = <T>(r: Random, list: readonly T[]): T => list[int(r, list.length)] as T;

const TOKENS = [
  ':',
  ' ',
  '  ',
  '-',
  '- ',
  '[',
  ']',
  '{',
  '}',
  ',',
  '&a ',
  '*a',
  '*x',
  '!!str ',
  '!!binary ',
  '!tag ',
  '|',
  '>-',
  '"',
  "'",
  '#',
  '\n',
  '\t',
  '\r',
  '\r\n',
  '\u0000',
  '%YAML 1.1\n',
  '@',
  '`',
  '? ',
  '---\n',
  '...\n',
  '<<: *a\n',
  '\ufeff',
  'µ',
  '\u2028',
  '~',
  'null',
  '0x1F',
  '.inf',
  '-.nan',
  '1e999',
  '  - ',
  ': {}',
  ': []',
];

const VALUES: readonly unknown[] = [
  // plausible values, so that a mutant is often still valid and goes on to compile and plan
  '30s',
  '1m',
  '10ms',
  'one',
  'all',
  'fixed',
  '1',
  '50',
  1,
  3,
  10,
  'default',
  'app',
  'exitCode == 0',
  'both',
  // extremes
  '99999999h',
  `${'9'.repeat(310)}s`,
  `-${'9'.repeat(310)}s`,
  `${'9'.repeat(310)}ms`,
  `${'9'.repeat(310)}mbps`,
  '2562048h',
  '2562047h47m16.854775807s',
  '0s',
  '0',
  '-1h',
  '1.5',
  '',
  ' ',
  1e20,
  -1,
  0,
  2 ** 53,
  2 ** 53 + 2,
  1e308,
  -1e308,
  0.5,
  true,
  false,
  null,
  [],
  {},
  [null],
  'x'.repeat(10_000),
  'a'.repeat(300),
  '*',
  'Serial',
  'Suspend',
  'PodChaos',
  'pod-kill',
  'exitCode == 0',
  `${'!'.repeat(3000)}true`,
  `exitCode == 0${' && exitCode == 0'.repeat(700)}`,
  '\u0000',
  'http://',
  '@every 1s',
  '* * * * *',
  'CRON_TZ=Nowhere/Else 0 0 * * *',
  '200-100',
  '1000',
  '-5',
  '101',
  'a/b',
  '../..',
  '$(id)',
  'Parallel',
];

/** Edits of the text itself. */
const TEXT_OPS: ((text: string, r: Random, corpus: readonly string[]) => string)[] = [
  // delete a range of characters
  (t, r) => {
    const at = int(r, t.length + 1);
    return t.slice(0, at) + t.slice(at + 1 + int(r, 20));
  },
  // insert a token
  (t, r) => {
    const at = int(r, t.length + 1);
    return t.slice(0, at) + pick(r, TOKENS) + t.slice(at);
  },
  // duplicate, delete, swap lines
  (t, r) => editLines(t, (lines) => lines.splice(int(r, lines.length), 0, pick(r, lines))),
  (t, r) => editLines(t, (lines) => lines.splice(int(r, lines.length), 1)),
  (t, r) =>
    editLines(t, (lines) => {
      const a = int(r, lines.length);
      const b = int(r, lines.length);
      [lines[a], lines[b]] = [lines[b] as string, lines[a] as string];
    }),
  // shift the indentation of a line
  (t, r) =>
    editLines(t, (lines) => {
      const i = int(r, lines.length);
      const line = lines[i] as string;
      lines[i] = r() < 0.5 ? ' '.repeat(1 + int(r, 4)) + line : line.replace(/^ {1,4}/, '');
    }),
  // replace what follows a key with an extreme value
  (t, r) =>
    editLines(t, (lines) => {
      const i = int(r, lines.length);
      const line = lines[i] as string;
      const value = pick(r, VALUES);
      const text =
        typeof value === 'string' ? (r() < 0.5 ? value : JSON.stringify(value)) : JSON.stringify(value);
      if (/:\s/.test(line)) lines[i] = line.replace(/:\s.*$/, `: ${text}`);
    }),
  // a line from another file
  (t, r, corpus) =>
    editLines(t, (lines) => {
      const other = pick(r, corpus).split('\n');
      lines.splice(int(r, lines.length + 1), 0, pick(r, other));
    }),
  // truncate
  (t, r) => t.slice(0, int(r, t.length + 1)),
  // CR-only or mixed line endings
  (t, r) => (r() < 0.5 ? t.replace(/\n/g, '\r') : t.replace(/\n/g, () => pick(r, ['\n', '\r\n', '\r']))),
];

/** Rare edits that multiply the size or the depth. */
const AMPLIFIERS: ((text: string, r: Random) => string)[] = [
  (t, r) =>
    editLines(t, (lines) => {
      const i = int(r, lines.length);
      lines.splice(i, 0, ...Array<string>(100 + int(r, 3000)).fill(lines[i] as string));
    }),
  (t, r) => {
    const depth = 50 + int(r, 5000);
    const at = int(r, t.length + 1);
    return `${t.slice(0, at)}${'['.repeat(depth)}${']'.repeat(depth)}${t.slice(at)}`;
  },
  (t, r) => {
    const levels = 3 + int(r, 10);
    const lines = ['z0: &z0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < levels; i++)
      lines.push(
        `z${i}: &z${i} [${Array(10)
          .fill(`*z${i - 1}`)
          .join(', ')}]`,
      );
    return `${lines.join('\n')}\n${t}`;
  },
  (t, r) => {
    const bytes = Array.from({ length: 20 + int(r, 500) }, () => String.fromCharCode(int(r, 256))).join('');
    const at = int(r, t.length + 1);
    return t.slice(0, at) + bytes + t.slice(at);
  },
  (t, r) => {
    const n = 1000 + int(r, 20_000);
    return `${t}\n${Array.from({ length: n }, (_, i) => `k${i}: 1`).join('\n')}\n`;
  },
];

/** Edits of the parsed value, written back as YAML: the checks see well-formed documents with bad values. */
function mutateValue(text: string, r: Random): string {
  let value: unknown;
  try {
    value = parse(text, { maxAliasCount: 100, logLevel: 'error' });
  } catch {
    return text;
  }
  const holders: { holder: Record<string, unknown> | unknown[]; key: string | number }[] = [];
  const stack: unknown[] = [value];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    if (Array.isArray(node)) node.forEach((v, i) => (holders.push({ holder: node, key: i }), stack.push(v)));
    else if (typeof node === 'object' && node !== null) {
      for (const [k, v] of Object.entries(node)) {
        holders.push({ holder: node as Record<string, unknown>, key: k });
        stack.push(v);
      }
    }
  }
  if (holders.length === 0) return text;
  const { holder, key } = pick(r, holders);
  const op = int(r, 4);
  if (op === 0) (holder as Record<string | number, unknown>)[key] = structuredClone(pick(r, VALUES));
  else if (op === 1 && Array.isArray(holder))
    holder.splice(key as number, 0, structuredClone(holder[key as number]));
  else if (op === 2 && !Array.isArray(holder)) delete holder[key as string];
  else if (!Array.isArray(holder))
    holder[`${String(key)}${pick(r, ['x', 's', '_', 'Name', ''])}`] = pick(r, VALUES);
  try {
    return stringify(value, { lineWidth: 0 });
  } catch {
    return text;
  }
}

function editLines(text: string, edit: (lines: string[]) => void): string {
  const lines = text.split('\n');
  edit(lines);
  return lines.join('\n');
}

/** The seed corpus: valid manifests (the examples) and the fixtures of the tests, most of them invalid. */
export interface Corpus {
  valid: readonly string[];
  fixtures: readonly string[];
}

/**
 * Input `index` of a run: a corpus file (a valid one seven times in ten, so that mutants reach the checks and
 * `plan`, not only the parser) with one mutation, or two or three.
 */
export function mutant(source: Corpus, seed: number, index: number): string {
  const r = inputRandom(seed, index);
  const corpus = [...source.valid, ...source.fixtures];
  let text = r() < 0.7 && source.valid.length > 0 ? pick(r, source.valid) : pick(r, corpus);
  const roll = r();
  const count = roll < 0.6 ? 1 : roll < 0.85 ? 2 : 3;
  for (let i = 0; i < count; i++) {
    const roll = r();
    if (roll < 0.03) text = pick(r, AMPLIFIERS)(text, r);
    else if (roll < 0.35) text = mutateValue(text, r);
    else text = pick(r, TEXT_OPS)(text, r, corpus);
  }
  return text;
}
