#!/usr/bin/env node
// The `chaosflow` command. Runs the compiled CLI built by `npm run build`: the client commands from its bundle
// (dist/cli-bundle/, a few files to load: scripts/bundle-cli.ts), the long-lived commands from dist/cli/ as
// tsc compiled it (they find the workflow bundle and the agent's helper programs beside their own modules).
import { existsSync } from 'node:fs';

const UNBUNDLED = new Set(['dev', 'worker', 'agent', 'controller']);
const main = UNBUNDLED.has(process.argv[2] ?? '')
  ? new URL('../dist/cli/main.js', import.meta.url)
  : new URL('../dist/cli-bundle/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write(
    'chaosflow: the CLI is not built yet; run `npm ci && npm run build` in the chaosflow folder\n',
  );
  process.exit(1);
}
await import(main.href);
