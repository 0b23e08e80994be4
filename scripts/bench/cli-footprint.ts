/**
 * What the `chaosflow` command costs a user: the wall time of `chaosflow validate` on each example (goal
 * < 300 ms), beside a bare `node` start in the same run as the baseline, and the peak memory of `chaosflow run`
 * attached to a short run on the embedded stack (goal < 70 MiB), beside `chaosflow --help`. Runs the built CLI
 * (`npm run build`), as users do.
 *
 *   npx tsx scripts/bench/cli-footprint.ts [repeats=7]
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import { toolPath } from '../../embedded/installed-tools.js';
import { startDevStack } from '../../embedded/dev-stack.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const cli = join(root, 'bin/chaosflow.js');
const repeats = Number(process.argv[2] ?? 7);
const say = (text: string) => process.stdout.write(`${text}\n`);

/** The environment without tsx's loader (NODE_OPTIONS), which this script runs under and a user's shell has not. */
const plainEnv = Object.fromEntries(Object.entries(process.env).filter(([name]) => name !== 'NODE_OPTIONS'));

/** Runs `argv` and returns its wall time, peak RSS (KiB, when the preload ran) and exit code. */
function exec(argv: string[], cwd = root): Promise<{ ms: number; maxRssKiB?: number; code: number | null }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { cwd, env: plainEnv, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      const rss = /max-rss-kib (\d+)/.exec(stderr)?.[1];
      resolve({ ms: performance.now() - started, ...(rss ? { maxRssKiB: Number(rss) } : {}), code });
    });
  });
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

if (!existsSync(join(root, 'dist/cli-bundle/main.js'))) {
  say('cli-footprint: building the CLI first (npm run build)');
  const build = await exec(['npm', 'run', '--silent', 'build']);
  if (build.code !== 0)
    throw new Error(`cli-footprint: the build failed (exit ${build.code}); run npm run build`);
}

// validate: every example manifest, against a bare node start, interleaved.
const examples = (await readdir(join(root, 'examples')))
  .filter((f) => f.endsWith('.yaml') && f !== 'inventory.yaml')
  .map((f) => join(root, 'examples', f));
const bare: number[] = [];
const validate: number[] = [];
for (let i = 0; i < repeats; i++) {
  bare.push((await exec(['node', '-e', ''])).ms);
  for (const file of examples) {
    const result = await exec(['node', cli, 'validate', file]);
    if (result.code !== 0) throw new Error(`chaosflow validate ${file} exited ${result.code}`);
    validate.push(result.ms);
  }
}
say(`chaosflow validate, ${examples.length} examples x ${repeats}`);
say(`  bare node start (baseline): median ${median(bare).toFixed(0)} ms`);
say(
  `  validate: median ${median(validate).toFixed(0)} ms, max ${Math.max(...validate).toFixed(0)} ms ` +
    `(goal < 300 ms; ${(median(validate) / median(bare)).toFixed(2)}x a bare node start)`,
);

// run: attached to a run of two short suspends on the embedded stack, against --help.
const dir = await mkdtemp(join(tmpdir(), 'chaosflow-bench-cli-'));
// Preloaded with `node --import`: prints the process's peak resident set size on exit (exact, not sampled).
// VmHWM, not getrusage's maxrss: that one starts from the forking parent's size (this benchmark's, with the stack).
const preload = join(dir, 'max-rss-on-exit.mjs');
await writeFile(
  preload,
  [
    "import { readFileSync } from 'node:fs';",
    "process.on('exit', () => {",
    "  const kib = /VmHWM:\\s+(\\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];",
    '  process.stderr.write(`\\nmax-rss-kib ${kib}\\n`);',
    '});',
    '',
  ].join('\n'),
);
const stack = await startDevStack({
  temporalExecutable: toolPath('temporal'),
  dataDir: join(dir, 'stack'),
  port: 0,
  uiPort: false,
  agentListen: false,
  logger: pino({ level: 'error' }),
});
try {
  const manifest = join(dir, 'wait.yaml');
  await writeFile(
    manifest,
    `apiVersion: chaos-mesh.org/v1alpha1
kind: Workflow
metadata: { name: footprint, namespace: default }
spec:
  entry: main
  templates:
    - { name: main, templateType: Serial, children: [first, second] }
    - { name: first, templateType: Suspend, deadline: 1s }
    - { name: second, templateType: Suspend, deadline: 1s }
`,
  );
  const help: number[] = [];
  const run: number[] = [];
  for (let i = 0; i < Math.min(repeats, 3); i++) {
    help.push((await exec(['node', '--import', preload, cli, '--help'])).maxRssKiB ?? NaN);
    const attached = await exec([
      'node',
      '--import',
      preload,
      cli,
      'run',
      manifest,
      '--address',
      stack.temporal.address,
    ]);
    if (attached.code !== 0) throw new Error(`chaosflow run exited ${attached.code}`);
    run.push(attached.maxRssKiB ?? NaN);
  }
  const mib = (kib: number) => (kib / 1024).toFixed(1);
  say('chaosflow run, attached to a 2 s run until it ends (peak resident memory)');
  say(`  chaosflow --help (baseline): median ${mib(median(help))} MiB`);
  say(
    `  chaosflow run: median ${mib(median(run))} MiB (goal < 70 MiB; ${(median(run) / median(help)).toFixed(2)}x --help)`,
  );
} finally {
  await stack.stop();
  await rm(dir, { recursive: true, force: true });
}
