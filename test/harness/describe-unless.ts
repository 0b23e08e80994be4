/**
 * A `describe` for tests that need something this machine may lack (a tool, root, network namespaces). When it
 * is missing the suite is still collected but skipped, never silently: the reason is part of its title (so the
 * reporter and the CI summary show it) and is written to stderr.
 */
import { describe } from 'vitest';

export function describeUnless(reason: string | undefined, title: string, body: () => void): void {
  if (reason === undefined) {
    describe(title, body);
    return;
  }
  process.stderr.write(`cannot run "${title}" here: ${reason}\n`);
  describe.skip(`${title} [cannot run here: ${reason}]`, body);
}
