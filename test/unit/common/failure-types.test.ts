import { describe, expect, it } from 'vitest';
import { phaseOfRunFailure, RUN_FAILURE_TYPES } from '../../../common/failure-types.js';

describe('run failure types', () => {
  it('read back as the phase the run ended in', () => {
    for (const [phase, type] of Object.entries(RUN_FAILURE_TYPES))
      expect(phaseOfRunFailure(type)).toBe(phase);
  });

  it('read the ChaosflowRun<Phase> spelling of runs closed by older workers', () => {
    expect(phaseOfRunFailure('ChaosflowRunAborted')).toBe('Aborted');
    expect(phaseOfRunFailure('ChaosflowRunDeadlineExceeded')).toBe('DeadlineExceeded');
  });

  it('are undefined for any other type, and for a run that "failed" with Succeeded', () => {
    for (const type of [
      'INVALID_INPUT',
      'ChaosflowRunSucceeded',
      'ChaosflowRunNope',
      'RUN_',
      '',
      null,
      undefined,
    ]) {
      expect(phaseOfRunFailure(type)).toBeUndefined();
    }
  });
});
