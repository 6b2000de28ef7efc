import type { TimelineEntry } from '../../contracts/incident.ts';

/** What became of one notification to one receiver: the incident timeline's entry. */
export interface NotificationOutcome {
  /** The incident it was about; undefined for a group without one. */
  readonly incidentId: string | undefined;
  readonly receiver: string;
  /** Whether it told of firing signals or of the resolve. */
  readonly status: 'firing' | 'resolved';
  /** The escalation step that routed it (`critical.2`). */
  readonly step: string | undefined;
  /** Why it failed (Alertmanager retries it); undefined when the receiver took it. */
  readonly error: string | undefined;
  readonly at: number;
}

/** Where outcomes are kept (the incident timeline). */
export type RecordOutcome = (outcome: NotificationOutcome) => Promise<void>;

/**
 * Records each delivery, and each failure once until it changes or a delivery succeeds:
 * Alertmanager retries a failed notification with backoff, and every retry that fails the
 * same way is the same fact. Remembered per replica; another replica records it once more.
 */
export function outcomeRecorder(record: RecordOutcome): RecordOutcome {
  const failing = new Map<string, string>();
  return async (outcome) => {
    const key = `${outcome.incidentId ?? ''}\u0000${outcome.receiver}\u0000${outcome.status}`;
    if (outcome.error === undefined) failing.delete(key);
    else if (failing.get(key) === outcome.error) return;
    else failing.set(key, outcome.error);
    await record(outcome);
  };
}

/** How an outcome reads on its incident's timeline; none for a notification of no incident. */
export function outcomeEntry(outcome: NotificationOutcome): TimelineEntry | undefined {
  if (outcome.incidentId === undefined) return undefined;
  const what = outcome.status === 'resolved' ? 'the resolve' : 'the incident';
  const step = outcome.step === undefined ? '' : ` (step ${outcome.step})`;
  return {
    incidentId: outcome.incidentId,
    kind: outcome.error === undefined ? 'notified' : 'notify-failed',
    at: new Date(outcome.at).toISOString(),
    text:
      outcome.error === undefined
        ? `notified ${outcome.receiver} of ${what}${step}`
        : `failed to notify ${outcome.receiver} of ${what}${step}: ${outcome.error}; Alertmanager retries`,
    details: {
      receiver: outcome.receiver,
      status: outcome.status,
      ...(outcome.step === undefined ? {} : { step: outcome.step }),
      ...(outcome.error === undefined ? {} : { error: outcome.error }),
    },
  };
}
