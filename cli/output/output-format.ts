/**
 * The `-o, --output` option every data-printing command shares: `table` for people (the default), `json` and
 * `yaml` for scripts. A command may offer a subset.
 */
import { Option } from 'commander';

export const OUTPUT_FORMATS = ['table', 'json', 'yaml'] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

export function outputOption(formats: readonly OutputFormat[] = OUTPUT_FORMATS): Option {
  return new Option('-o, --output <format>', 'output format').choices([...formats]).default(formats[0]);
}
