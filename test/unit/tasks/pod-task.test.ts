import { expect, it } from 'vitest';
import type { TaskInput } from '../../../activities/contract.js';
import { taskPod, taskPodName } from '../../../activities/tasks/pod-task.js';

const input = (overrides: Partial<TaskInput['task']['container']> = {}, nodeId = 'check'): TaskInput => ({
  run: { workflowId: 'chaosflow/team-a/game-day/1', namespace: 'team-a', name: 'game-day' },
  nodeId,
  task: {
    container: {
      name: 'probe',
      image: 'busybox:1.36',
      command: ['sh', '-c'],
      args: ['echo healthy'],
      env: [{ name: 'MODE', value: 'strict' }],
      workingDir: '/tmp',
      ...overrides,
    },
    volumes: [{ name: 'scratch', emptyDir: {} }],
    labels: { team: 'sre' },
  },
});

it('names the pod after the run and the node: the same for every attempt, a valid pod name', () => {
  expect(taskPodName(input())).toBe(taskPodName(input()));
  expect(taskPodName(input())).not.toBe(taskPodName(input({}, 'other')));
  expect(taskPodName(input())).toMatch(/^cf-task-[0-9a-f]{20}$/);
});

it("runs the Task's container as written, never restarted, in the Workflow's namespace", () => {
  const pod = taskPod(input());
  expect(pod.metadata).toMatchObject({
    name: taskPodName(input()),
    namespace: 'team-a',
    labels: { team: 'sre', 'chaosflow.dev/task': 'true', 'app.kubernetes.io/managed-by': 'chaosflow' },
    annotations: {
      'chaosflow.dev/workflow-id': 'chaosflow/team-a/game-day/1',
      'chaosflow.dev/node': 'check',
    },
  });
  expect(pod.spec).toEqual({
    restartPolicy: 'Never',
    automountServiceAccountToken: false,
    containers: [
      {
        name: 'probe',
        image: 'busybox:1.36',
        command: ['sh', '-c'],
        args: ['echo healthy'],
        env: [{ name: 'MODE', value: 'strict' }],
        workingDir: '/tmp',
      },
    ],
    volumes: [{ name: 'scratch', emptyDir: {} }],
  });
  // No command: the image's entrypoint runs.
  expect(taskPod(input({ command: [], args: [] })).spec?.containers[0]).not.toHaveProperty('command');
});

it('refuses a Task without an image, saying what to set', () => {
  expect(() => taskPod(input({ image: undefined }))).toThrow(
    /has no container.image.*set task.container.image/,
  );
});
