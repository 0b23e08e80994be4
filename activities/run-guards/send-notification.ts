/**
 * `notify`: POSTs one run event to one webhook, as Slack-compatible `{"text": ...}` or as chaosflow's JSON
 * notice. Each attempt is bounded by the notification's timeout; a 5xx, 408, 429 or no answer is retried by
 * Temporal (UNAVAILABLE), any other 4xx is not (INVALID_INPUT: the receiver refuses this request for good).
 */
import type { PlanNotification } from '../../common/plan.js';
import type { RunEventNotice } from '../../common/run-event.js';
import { ActivityError } from '../errors.js';

export async function sendNotification(
  notification: PlanNotification,
  notice: RunEventNotice,
  signal?: AbortSignal,
): Promise<void> {
  const timeout = AbortSignal.timeout(notification.timeoutMs);
  let response: Response;
  try {
    response = await fetch(notification.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'chaosflow' },
      body: JSON.stringify(notification.format === 'Slack' ? slackMessage(notice) : notice),
      signal: signal ? AbortSignal.any([timeout, signal]) : timeout,
    });
    // The body is not read: a receiver that streams forever must not hold the attempt.
    await response.body?.cancel();
  } catch (err) {
    if (timeout.aborted) {
      throw new ActivityError(
        'UNAVAILABLE',
        `webhook ${notification.name} gave no answer to ${notice.event} within ${notification.timeoutMs} ms`,
      );
    }
    throw new ActivityError('UNAVAILABLE', `webhook ${notification.name}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  if (response.ok) return;
  const retryable = response.status >= 500 || response.status === 408 || response.status === 429;
  throw new ActivityError(
    retryable ? 'UNAVAILABLE' : 'INVALID_INPUT',
    `webhook ${notification.name} answered HTTP ${response.status} to ${notice.event}`,
  );
}

/** One line a chat reads at a glance: the run, the event and what happened. */
export function slackMessage(notice: RunEventNotice): { text: string } {
  const { run } = notice;
  const phase = notice.phase ? ` (${notice.phase})` : '';
  return {
    text: `chaosflow: ${run.kind} ${run.namespace}/${run.name} ${notice.event}${phase}: ${notice.detail}`,
  };
}
