import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, type WorkflowBundleWithSourceMap } from '@temporalio/worker';

/** The workflows entry module: the TypeScript source when running from source (tests), else the built JS. */
export function workflowsPath(): string {
  return workflowsModule('index');
}

/** A module of workflows/, as source or built JS (see `workflowsPath`). */
function workflowsModule(name: string): string {
  for (const candidate of [`../workflows/${name}.ts`, `../workflows/${name}.js`]) {
    const path = fileURLToPath(new URL(candidate, import.meta.url));
    if (existsSync(path)) return path;
  }
  throw new Error(`cannot find the chaosflow workflows (workflows/${name}.ts or .js next to worker/)`);
}

/** Bundles the workflows once (about a second); reuse the bundle for every worker of a process. */
export async function bundleWorkflows(): Promise<WorkflowBundleWithSourceMap> {
  return bundleWorkflowCode({
    workflowsPath: workflowsPath(),
    // Reports how each run ended to the worker's metrics (a sink; nothing in history).
    workflowInterceptorModules: [workflowsModule('run-finished-interceptor')],
    logger: quietBundlerLogger,
  });
}

const noop = () => undefined;
const quietBundlerLogger = { trace: noop, debug: noop, info: noop, warn: noop, error: noop, log: noop };
