/**
 * Where the external tools installed by `scripts/tools/install.sh` live, for the embedded stacks, the tests and
 * the benchmarks. This file alone reads `CHAOSFLOW_TOOLS` and `CHAOSFLOW_CACHE` (default
 * `~/.cache/chaosflow/tools`, as the installer does), and every tool is `<tools>/bin/<name>`.
 */
import { accessSync, constants, existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const TOOL_NAMES = [
  'temporal',
  'temporal-test-server',
  'etcd',
  'kube-apiserver',
  'temporal-server',
  'temporal-sql-tool',
  'initdb',
  'postgres',
  'kubectl',
  'prometheus',
  'promtool',
  'chromium',
  'kubelet',
  'containerd',
  'ctr',
  'chaosflow-iofs',
] as const;
export type ToolName = (typeof TOOL_NAMES)[number];

/** Which installer component provides each tool (`scripts/tools/install.sh <component>`). */
const COMPONENT: Record<ToolName, string> = {
  temporal: 'temporal',
  'temporal-test-server': 'test-server',
  etcd: 'etcd',
  'kube-apiserver': 'kube-apiserver',
  'temporal-server': 'temporal-server',
  'temporal-sql-tool': 'temporal-server',
  initdb: 'temporal-server',
  postgres: 'temporal-server',
  kubectl: 'kubectl',
  prometheus: 'prometheus',
  promtool: 'prometheus',
  chromium: 'chromium',
  kubelet: 'kube-node',
  containerd: 'kube-node',
  ctr: 'kube-node',
  'chaosflow-iofs': 'iofs',
};

export type ToolLocation =
  | { readonly name: ToolName; readonly found: true; readonly path: string }
  | { readonly name: ToolName; readonly found: false; readonly path: string; readonly reason: string };

/** The tools folder: `$CHAOSFLOW_TOOLS`, else `$CHAOSFLOW_CACHE/tools`, else `~/.cache/chaosflow/tools`. */
export function toolsDir(): string {
  const tools = process.env['CHAOSFLOW_TOOLS'];
  if (tools) return tools;
  return join(process.env['CHAOSFLOW_CACHE'] || join(homedir(), '.cache', 'chaosflow'), 'tools');
}

/** `<tools>/bin/<name>`, whether or not it exists. */
export function toolPath(name: ToolName): string {
  return join(toolsDir(), 'bin', name);
}

/** The tool's path if it is installed and executable, or why it is not usable and how to install it. */
export function locateTool(name: ToolName): ToolLocation {
  const path = toolPath(name);
  const install = `run \`sh scripts/tools/install.sh ${COMPONENT[name]}\``;
  if (!existsSync(path)) {
    return { name, found: false, path, reason: `${name} is not installed at ${path} (${install})` };
  }
  try {
    accessSync(path, constants.X_OK);
  } catch {
    return { name, found: false, path, reason: `${name} at ${path} is not executable (${install})` };
  }
  return { name, found: true, path };
}

/** The path of an installed tool; throws with the reason when it is missing. */
export function requireTool(name: ToolName): string {
  const tool = locateTool(name);
  if (!tool.found) throw new Error(tool.reason);
  return tool.path;
}

/** Why the given tools cannot be used (one sentence per missing tool), or undefined when all are installed. */
export function missingTools(names: readonly ToolName[]): string | undefined {
  const reasons = names.map(locateTool).flatMap((tool) => (tool.found ? [] : [tool.reason]));
  return reasons.length > 0 ? reasons.join('; ') : undefined;
}
