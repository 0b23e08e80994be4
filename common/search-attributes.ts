/**
 * chaosflow's custom search attributes: they make runs findable in the Temporal UI and by `chaosflow list`
 * (`ChaosflowPhase = "Running"`). Registered at start-up on the dev server (`chaosflow dev`, the test harness)
 * and by `chaosflow worker` on other servers.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const SA_KIND = defineSearchAttributeKey('ChaosflowKind', SearchAttributeType.KEYWORD);
export const SA_NAMESPACE = defineSearchAttributeKey('ChaosflowNamespace', SearchAttributeType.KEYWORD);
export const SA_NAME = defineSearchAttributeKey('ChaosflowName', SearchAttributeType.KEYWORD);
export const SA_PHASE = defineSearchAttributeKey('ChaosflowPhase', SearchAttributeType.KEYWORD);
export const SA_SCHEDULE = defineSearchAttributeKey('ChaosflowSchedule', SearchAttributeType.KEYWORD);
/** On a janitor: the workflow id of the closed run it recovers (`ChaosflowOrphan = "chaosflow/default/x/..."`). */
export const SA_ORPHAN = defineSearchAttributeKey('ChaosflowOrphan', SearchAttributeType.KEYWORD);

/** Set by Temporal on runs a Schedule started: the tick's scheduled time (built in, not registered by us). */
export const SA_SCHEDULED_START_TIME = defineSearchAttributeKey(
  'TemporalScheduledStartTime',
  SearchAttributeType.DATETIME,
);

export const CHAOSFLOW_SEARCH_ATTRIBUTES = [
  SA_KIND,
  SA_NAMESPACE,
  SA_NAME,
  SA_PHASE,
  SA_SCHEDULE,
  SA_ORPHAN,
] as const;
