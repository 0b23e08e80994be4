/**
 * The second half of `npm run build`: bundles the compiled CLI (`dist/cli/main.js`, built by tsc first) with
 * esbuild into `dist/cli-bundle/` (ESM, one chunk per lazily loaded command part), so that a client command
 * (`validate`, `plan`, `run`, `get`, ...) loads a few files instead of ~250 (chaosflow's own modules and the
 * small libraries; `validate` of the examples, median: 284-314 ms before, 188 ms after). The packages that find
 * files of their own at run time, or that are large and load lazily anyway (Temporal, gRPC, Kubernetes, pino),
 * stay outside and load from node_modules. `bin/chaosflow.js` runs the long-lived commands (`dev`, `worker`,
 * `agent`, `controller`) from `dist/cli/` unbundled, since they locate the workflow bundle and the agent's
 * helper programs next to their own modules.
 *
 *   tsx scripts/bundle-cli.ts
 */
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('../', import.meta.url));
const outdir = `${root}dist/cli-bundle`;

/** Loaded from node_modules as they are (see the header). */
const EXTERNAL = [
  '@temporalio/*',
  '@grpc/*',
  '@kubernetes/*',
  'protobufjs',
  'protobufjs/*',
  'pino',
  'pino-*',
  'thread-stream',
];

await rm(outdir, { recursive: true, force: true });
await build({
  entryPoints: [`${root}dist/cli/main.js`],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: EXTERNAL,
  // The bundled CommonJS libraries (yaml, ajv, commander) call require() for Node's own modules.
  banner: {
    js: "import { createRequire as __cfRequire } from 'node:module'; const require = __cfRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
