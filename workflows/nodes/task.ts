import type { TaskTemplate } from '../../common/plan.js';
import { evaluateBranchExpression } from '../../common/branch-expression.js';
import { runTask } from '../activity-stubs.js';
import { taskSummary } from '../activity-summaries.js';
import type { NodeBody } from '../node-runner.js';
import { runAllAtOnce } from './parallel.js';

/**
 * Runs the task (a command on the worker's host, or a pod in Kubernetes) once, then evaluates every
 * `conditionalBranches` expression over its `exitCode` and `stdout` and runs every true branch in parallel. A
 * non-zero exit code is a value for the expressions, not a failure (Chaos Mesh); a branch whose expression
 * cannot be evaluated is `Unknown` and not taken.
 */
export const runTaskNode: NodeBody<TaskTemplate> = async (env) => {
  const { run, id, template } = env;
  await run.whileUnpaused();
  const result = await runTask.executeWithOptions({ summary: taskSummary(template.name, template.task) }, [
    { run: run.ref, nodeId: id, task: template.task },
  ]);
  const branches = template.branches.map((branch) => {
    let outcome: 'True' | 'False' | 'Unknown';
    try {
      outcome = evaluateBranchExpression(branch.expression, result) ? 'True' : 'False';
    } catch {
      outcome = 'Unknown';
    }
    return { target: branch.target, result: outcome };
  });
  run.node(id).task = { exitCode: result.exitCode, stdout: clip(result.stdout), branches };
  const taken = branches.filter((b) => b.result === 'True').map((b) => b.target);
  return taken.length ? runAllAtOnce(env, taken) : { phase: 'Succeeded' };
};

/** The status keeps the start of long outputs; expressions saw all of it. */
const STATUS_STDOUT_LIMIT = 4096;

function clip(text: string): string {
  return text.length <= STATUS_STDOUT_LIMIT
    ? text
    : `${text.slice(0, STATUS_STDOUT_LIMIT)}… (${text.length} chars)`;
}
