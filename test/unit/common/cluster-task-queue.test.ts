import { describe, expect, it } from 'vitest';
import { clusterNameProblem, clusterTaskQueue, taskQueueFor } from '../../../common/cluster-task-queue.js';

describe('cluster task queues', () => {
  it("derive a cluster's queue from the control plane's, and keep the control plane's for no cluster", () => {
    expect(clusterTaskQueue('chaosflow', 'east-1')).toBe('chaosflow-cluster-east-1');
    expect(taskQueueFor('chaosflow', 'east-1')).toBe('chaosflow-cluster-east-1');
    expect(taskQueueFor('chaosflow', undefined)).toBe('chaosflow');
  });

  it('accept DNS labels as cluster names and say what is wrong with anything else', () => {
    for (const good of ['a', 'east-1', '0', 'x'.repeat(63)]) expect(clusterNameProblem(good)).toBeUndefined();
    for (const bad of ['', 'East', 'a_b', '-a', 'a-', 'a.b', 'x'.repeat(64)]) {
      expect(clusterNameProblem(bad)).toMatch(/^invalid cluster name '.*': a cluster name is a DNS label/);
    }
  });
});
