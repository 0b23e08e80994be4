/**
 * chaosflow runs a Task on the worker's host (`activities/tasks/host-task.ts`): `container.command` +
 * `container.args` as one process, with `env` and `workingDir`. What only a Pod would use is not honoured
 * there, so it is named: `env[].valueFrom` is refused (the variable would be empty, changing what the task
 * does), and `image`, `volumes`, `labels` and any other Container field give one `TASK_RUNS_ON_HOST` warning.
 * A Task that writes none of them is a host task by intent and gets no warning.
 */
import type { Task } from '../common/generated/manifest-types.js';
import { joinPointer, type ManifestIssue } from './errors.js';

/** The Container fields host mode uses, and `name`: required (as in Kubernetes), it needs no warning. */
const HOST_CONTAINER_FIELDS: ReadonlySet<string> = new Set(['name', 'command', 'args', 'env', 'workingDir']);

/**
 * Where the Tasks of a manifest run: `host` (the embedded default and `chaosflow validate`: the worker's host,
 * so what only a Pod resolves is refused or warned about) or `pod` (Kubernetes mode: the controller's objects,
 * where every Container field reaches the pod).
 */
export type TaskRuntime = 'host' | 'pod';

/** `at` points at the template, `name` is its name. */
export function checkHostTask(task: Task, at: string, name: string, issues: ManifestIssue[]): void {
  task.container.env?.forEach((env, j) => {
    if (env.valueFrom === undefined) return;
    issues.push({
      code: 'TASK_ENV_UNSUPPORTED',
      pointer: joinPointer(at, 'task', 'container', 'env', j, 'valueFrom'),
      at: 'key',
      message: `env ${env.name} uses valueFrom, which a task on the worker's host cannot resolve: it would be empty`,
      fix: 'replace valueFrom with value: and the literal value',
    });
  });
  const unused = [
    ...(task.container.image === undefined ? [] : [`image ${task.container.image}`]),
    ...Object.keys(task.container)
      .filter((key) => key !== 'image' && !HOST_CONTAINER_FIELDS.has(key))
      .map((key) => `container.${key}`),
    ...((task.volumes ?? []).length > 0 ? ['volumes'] : []),
    ...(Object.keys(task.labels ?? {}).length > 0 ? ['labels'] : []),
  ];
  if (unused.length === 0) return;
  issues.push({
    severity: 'warning',
    code: 'TASK_RUNS_ON_HOST',
    pointer: joinPointer(at, 'task'),
    at: 'key',
    message: `task ${JSON.stringify(name)} runs on the worker's host, not in a Pod: its command and args run there as one process, without ${list(unused)}`,
    fix: "check that the command exists on the worker's host and is safe to run there; remove what only a Pod uses to silence this",
  });
}

function list(items: readonly string[]): string {
  return items.length === 1 ? (items[0] as string) : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}
