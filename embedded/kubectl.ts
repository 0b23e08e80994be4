/**
 * The installed kubectl against one cluster: `kubectl --kubeconfig FILE ARGS`, an argv array, stdin optional.
 * Resolves with stdout; rejects on a non-zero exit with kubectl's stderr in the error.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { requireTool } from './installed-tools.js';

const run = promisify(execFile);

export async function kubectl(
  kubeconfigFile: string,
  args: readonly string[],
  options: { stdin?: string; cwd?: string } = {},
): Promise<string> {
  const child = run(requireTool('kubectl'), ['--kubeconfig', kubeconfigFile, ...args], {
    ...(options.cwd ? { cwd: options.cwd } : {}),
  });
  if (options.stdin !== undefined) child.child.stdin?.end(options.stdin);
  return (await child).stdout;
}
