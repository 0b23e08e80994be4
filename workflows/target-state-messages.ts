/** Messages of the per-target entity workflow `chaosflowTargetState` (wire API). */
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { FaultFragment } from '../common/target-state.js';

/** Adds (or replaces) one fault's fragment and returns once the pod's merged state has been sent. */
export const setFaultUpdate = defineUpdate<TargetStateView, [{ key: string; fragment: FaultFragment }]>(
  'setFault',
);

/** Removes one fault's fragment and returns once the remaining state has been sent (empty: all recovered). */
export const removeFaultUpdate = defineUpdate<TargetStateView, [{ key: string }]>('removeFault');

export const targetStateQuery = defineQuery<TargetStateView>('state');

export interface TargetStateView {
  /** Keys of the faults whose fragments are applied, oldest first. */
  faults: string[];
  /** How many times the state was sent. */
  applies: number;
  lastError?: string;
  warning?: string;
  /** What the agent said about the last apply (`ApplyTargetStateResult.agentWarnings`). */
  agentWarnings?: string[];
}
