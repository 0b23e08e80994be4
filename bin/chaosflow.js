#!/usr/bin/env node
// The `chaosflow` command. Runs the compiled CLI from dist/ (built by `npm run build`).
import { existsSync } from 'node:fs';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write(
    'chaosflow: the CLI is not built yet; run `npm ci && npm run build` in the chaosflow folder\n',
  );
  process.exit(1);
}
await import(main.href);
