/** JSON and YAML renderings of plain data (plans, statuses, errors), each ending with a newline. */
import { stringify } from 'yaml';

export function renderJson(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** One YAML document per value, separated by `---` when there are several. */
export function renderYaml(values: readonly unknown[]): string {
  return values.map((v) => stringify(v, { lineWidth: 0 })).join('---\n');
}
