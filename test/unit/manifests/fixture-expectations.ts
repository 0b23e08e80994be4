/**
 * The fixtures under `invalid/` and `warnings/` declare, in their first line, what they must produce:
 * `# expect: CODE line:col[, CODE line:col]`, in file order.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export function expectations(dir: string, file: string): string[] {
  const first = readFileSync(join(dir, file), 'utf8').split('\n')[0] ?? '';
  const match = /^# expect: (.+)$/.exec(first);
  if (!match) throw new Error(`${file}: the first line must be "# expect: CODE line:col[, CODE line:col]"`);
  return (match[1] as string).split(',').map((s) => s.trim());
}
