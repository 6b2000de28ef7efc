import type { Incident } from '../../contracts/incident.ts';
import type { Severity } from '../../contracts/severity.ts';
import type { EscalationStep, NotificationPolicy } from './policy.ts';

/** What escalation needs to know of an incident; times in epoch milliseconds. */
export interface EscalatedIncident {
  readonly id: string;
  /** Its most severe signal's: which policy escalates it. */
  readonly severity: Severity;
  readonly openedAt: number;
  readonly acknowledgedAt?: number | undefined;
  readonly resolvedAt?: number | undefined;
}

/** What escalation knows of a stored incident. */
export const escalatedIncident = (incident: Incident): EscalatedIncident => ({
  id: incident.id,
  severity: incident.severity,
  openedAt: Date.parse(incident.startedAt),
  acknowledgedAt: incident.acknowledgement ? Date.parse(incident.acknowledgement.at) : undefined,
  resolvedAt: incident.resolvedAt === null ? undefined : Date.parse(incident.resolvedAt),
});

/** Where an incident stands in its severity's escalation at one moment. */
export interface EscalationPlan {
  /**
   * The `escalation_step` label of every step that is due, first step first: each was reached
   * before anyone acknowledged (or resolved) the incident, so its receivers have been told and
   * hear of the resolve too.
   */
  readonly due: readonly string[];
  /** When the next step becomes due, if nobody acknowledges by then; undefined when none will. */
  readonly nextAt: number | undefined;
}

/**
 * The label value of a step, 1-based (`critical.2`): what Alertmanager routes on to that step's
 * receivers (see alertmanager-config.ts, which names routes the same way).
 */
export const stepLabel = (severity: Severity, index: number): string =>
  `${severity}.${String(index + 1)}`;

/**
 * Which steps of an incident's escalation are due at `now`. A step is due once its delay has
 * passed since the incident opened, unless the incident was acknowledged or resolved before:
 * acknowledging stops escalation, and a step due earlier stays due so its receivers are sent
 * the resolve. Pure: the same incident, policy and time always give the same plan.
 */
export function escalationPlan(
  incident: EscalatedIncident,
  policy: NotificationPolicy,
  now: number,
): EscalationPlan {
  const steps: readonly EscalationStep[] = policy.escalation[incident.severity] ?? [];
  const stoppedAt = Math.min(
    now,
    incident.acknowledgedAt ?? Infinity,
    incident.resolvedAt ?? Infinity,
  );
  const dueAt = (step: EscalationStep): number => incident.openedAt + step.afterMs;
  const due = steps.flatMap((step, index) =>
    dueAt(step) <= stoppedAt ? [stepLabel(incident.severity, index)] : [],
  );
  const stopped = incident.acknowledgedAt !== undefined || incident.resolvedAt !== undefined;
  const next = stopped ? undefined : steps.find((step) => dueAt(step) > now);
  return { due, nextAt: next && dueAt(next) };
}
