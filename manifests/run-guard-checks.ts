/**
 * Checks of a Workflow's stop conditions and notifications beyond their schema: each stop condition watches
 * exactly one thing, reads it no more than once a second, and has a well-formed endpoint and regex; every URL
 * is http(s); names are unique within each list; an event is not listed twice.
 */
import { parseGoDuration } from '../common/duration.js';
import type { Notification, StopCondition } from '../common/generated/manifest-types.js';
import { joinPointer, type ManifestIssue } from './errors.js';
import { checkRegex } from './probe-checks.js';
import { checkHttpUrl, checkPositiveDuration } from './value-checks.js';

/** Reading Prometheus more often than this only loads it. */
export const MIN_STOP_CONDITION_INTERVAL_MS = 1_000;

export function checkStopConditions(
  conditions: readonly StopCondition[],
  at: string,
  issues: ManifestIssue[],
): void {
  checkUniqueNames(conditions, at, 'stop conditions', issues);
  conditions.forEach((condition, i) => {
    const pointer = joinPointer(at, i);
    const watched = [condition.alert && 'alert', condition.promql && 'promql'].filter(Boolean);
    if (watched.length !== 1) {
      issues.push({
        code: 'STOP_CONDITION_INVALID',
        pointer,
        message:
          watched.length === 0
            ? `stop condition ${JSON.stringify(condition.name)} watches nothing`
            : `stop condition ${JSON.stringify(condition.name)} has both alert and promql`,
        fix: 'give each stop condition exactly one of alert: { name: ... } and promql: { query: ... }',
      });
    }
    if (condition.endpoint !== undefined)
      checkHttpUrl(condition.endpoint, joinPointer(pointer, 'endpoint'), issues);
    checkRegex(
      condition.promql?.criteria?.matches,
      joinPointer(pointer, 'promql', 'criteria', 'matches'),
      issues,
    );
    const interval = condition.interval === undefined ? undefined : parseGoDuration(condition.interval);
    if (interval !== undefined && interval < MIN_STOP_CONDITION_INTERVAL_MS) {
      issues.push({
        code: 'STOP_CONDITION_INVALID',
        pointer: joinPointer(pointer, 'interval'),
        message: `interval ${JSON.stringify(condition.interval)} is shorter than 1s`,
        fix: 'read the condition at most once a second: interval: 1s or longer',
      });
    }
  });
}

export function checkNotifications(
  notifications: readonly Notification[],
  at: string,
  issues: ManifestIssue[],
): void {
  checkUniqueNames(notifications, at, 'notifications', issues);
  notifications.forEach((notification, i) => {
    const pointer = joinPointer(at, i);
    checkHttpUrl(notification.url, joinPointer(pointer, 'url'), issues);
    const seen = new Set<string>();
    notification.events?.forEach((event, j) => {
      if (seen.has(event)) {
        issues.push({
          code: 'RUN_GUARD_NAME_DUPLICATE',
          pointer: joinPointer(pointer, 'events', j),
          message: `event ${event} is listed twice`,
          fix: 'list each event once',
        });
      }
      seen.add(event);
    });
    checkPositiveDuration(notification.timeout, joinPointer(pointer, 'timeout'), issues);
  });
}

function checkUniqueNames(
  items: readonly { name: string }[],
  at: string,
  what: string,
  issues: ManifestIssue[],
): void {
  const seen = new Set<string>();
  items.forEach((item, i) => {
    if (seen.has(item.name)) {
      issues.push({
        code: 'RUN_GUARD_NAME_DUPLICATE',
        pointer: joinPointer(at, i, 'name'),
        message: `two ${what} are named ${JSON.stringify(item.name)}`,
        fix: `give each of the ${what} its own name`,
      });
    }
    seen.add(item.name);
  });
}
