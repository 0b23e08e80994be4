/**
 * A Workflow's stop conditions and notifications to their Plan form, with the defaults applied
 * (`RUN_GUARD_DEFAULTS`). The semantic checks (`run-guard-checks.ts`) have made sure each stop condition
 * watches exactly one thing.
 */
import { parseGoDuration } from '../common/duration.js';
import type { Notification, StopCondition } from '../common/generated/manifest-types.js';
import { RUN_EVENTS, type PlanNotification, type PlanStopCondition } from '../common/plan.js';
import { RUN_GUARD_DEFAULTS } from './defaults.js';

export function compileStopCondition(condition: StopCondition): PlanStopCondition {
  const { alert, promql } = condition;
  let watch: PlanStopCondition['watch'];
  if (alert) watch = { type: 'Alert', alert: alert.name, labels: { ...alert.labels } };
  else if (promql) {
    watch = {
      type: 'PromQL',
      query: promql.query,
      ...(promql.criteria ? { criteria: structuredClone(promql.criteria) } : {}),
    };
  } else throw new Error(`compile: stop condition ${condition.name} watches nothing and was not validated`);
  return {
    name: condition.name,
    watch,
    ...(condition.endpoint === undefined ? {} : { endpoint: condition.endpoint }),
    intervalMs: durationOr(condition.interval, RUN_GUARD_DEFAULTS.stopConditionIntervalMs),
    onUnavailable: condition.onUnavailable ?? RUN_GUARD_DEFAULTS.onUnavailable,
  };
}

export function compileNotification(notification: Notification): PlanNotification {
  const events = notification.events ?? RUN_EVENTS;
  return {
    name: notification.name,
    url: notification.url,
    format: notification.format ?? RUN_GUARD_DEFAULTS.notificationFormat,
    // In the order they happen, whatever order they were listed in.
    events: RUN_EVENTS.filter((event) => events.includes(event)),
    timeoutMs: durationOr(notification.timeout, RUN_GUARD_DEFAULTS.notificationTimeoutMs),
    attempts: notification.attempts ?? RUN_GUARD_DEFAULTS.notificationAttempts,
  };
}

function durationOr(text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const ms = parseGoDuration(text);
  if (ms === undefined) throw new Error(`compile: duration ${text} was not validated`);
  return ms;
}
