/**
 * The embedded stack as users drive it: the built `chaosflow` command (`bin/chaosflow.js`: `dev` from dist/cli,
 * the client commands from the CLI bundle), `chaosflow dev` in its own process (no agent), `chaosflow run` of a
 * workflow that needs no targets, `list` and `get`, and `validate` of a broken manifest; then `dev` is stopped
 * with Ctrl-C and started again on the same data folder, and the finished run is still there.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { freePort } from '../../embedded/free-port.js';
import { runCli as runSourceCli, startCli, type CliProcess } from '../harness/cli.js';
import { describeWithTools } from '../harness/describe-with-tools.js';

let dir: string;
let port: number;
let uiPort: number;
let dev: CliProcess | undefined;
const runCli = (args: readonly string[]) => runSourceCli(args, { built: true });

async function startDev(): Promise<CliProcess> {
  const args = [
    'dev',
    '--data-dir',
    join(dir, 'data'),
    '--port',
    String(port),
    '--ui-port',
    String(uiPort),
    '--no-agent',
  ];
  const process = startCli(args, { timeoutMs: 600_000, built: true });
  let exited = false;
  void process.done.then(() => (exited = true));
  await expect
    .poll(() => (exited ? `exited: ${process.stderr}` : process.stdout), { timeout: 60_000 })
    .toMatch(/chaosflow dev is running/);
  return process;
}

describeWithTools(['temporal'], 'chaosflow dev and run', () => {
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'chaosflow-dev-'));
    port = await freePort();
    uiPort = await freePort();
    await writeFile(
      join(dir, 'hello.yaml'),
      `apiVersion: chaosflow.dev/v1alpha1
kind: Workflow
metadata: { name: hello }
spec:
  entry: main
  templates:
    - name: main
      templateType: Serial
      deadline: 1m
      children: [pause, greet]
    - name: pause
      templateType: Suspend
      deadline: 1s
    - name: greet
      templateType: Task
      deadline: 30s
      task:
        container: { name: greet, image: busybox, command: [echo, hello from a task] }
`,
    );
  });
  afterAll(async () => {
    dev?.child.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  it('runs a workflow through the embedded worker and keeps it across a restart of dev', async () => {
    dev = await startDev();
    expect(dev.stdout).toMatch(new RegExp(`Temporal +127\\.0\\.0\\.1:${port}`));
    expect(dev.stdout).toMatch(new RegExp(`Web UI +http://127\\.0\\.0\\.1:${uiPort}`));
    const address = ['--address', `127.0.0.1:${port}`];

    const reportFile = join(dir, 'hello-report.md');
    const run = await runCli(['run', join(dir, 'hello.yaml'), '--report', reportFile, ...address]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/greet +Task +Succeeded .*exit 0/);
    expect(run.stderr).toMatch(/run Succeeded: chaosflow\/default\/hello\//);
    // Where the report is, printed last; Markdown because of the file's extension.
    expect(run.stderr.trimEnd().split('\n').at(-1)).toBe(`report: ${reportFile}`);
    expect(await readFile(reportFile, 'utf8')).toMatch(/^# Workflow default\/hello: Succeeded\n/);
    const report = await runCli(['report', 'default/hello', '-o', 'json', ...address]);
    expect(report.code, report.stderr).toBe(0);
    expect(JSON.parse(report.stdout)).toMatchObject({
      run: { phase: 'Succeeded' },
      verdict: { passed: true },
    });

    // A manifest error, as the bundled validate prints it: file, line and column, and what to change.
    const broken = join(dir, 'broken.yaml');
    await writeFile(
      broken,
      'apiVersion: chaosflow.dev/v1alpha1\nkind: Workflow\nmetadata: { name: broken }\nspec: {}\n',
    );
    const validate = await runCli(['validate', broken]);
    expect(validate.code).not.toBe(0);
    expect(validate.stderr + validate.stdout).toMatch(new RegExp(`${broken}:\\d+:\\d+: error`));

    dev.child.kill('SIGINT');
    expect((await dev.done).code).toBe(130);
    dev = await startDev();

    const list = await runCli(['list', '-o', 'json', ...address]);
    const runs = JSON.parse(list.stdout) as { manifest: string; phase: string }[];
    expect(runs).toContainEqual(expect.objectContaining({ manifest: 'default/hello', phase: 'Succeeded' }));
    const get = await runCli(['get', 'default/hello', '-o', 'json', ...address]);
    expect(get.code, get.stderr).toBe(0);
    const status = JSON.parse(get.stdout) as {
      phase: string;
      nodes: Record<string, { task?: { stdout: string } }>;
    };
    expect(status.phase).toBe('Succeeded');
    expect(status.nodes['main/greet']?.task?.stdout).toBe('hello from a task');

    dev.child.kill('SIGTERM');
    expect((await dev.done).code).toBe(0);
    dev = undefined;
  });
});
