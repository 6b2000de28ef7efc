import type { Alert } from '../../contracts/alert.ts';
import { escalationPlan, type EscalatedIncident } from './escalation.ts';
import type { NotificationPolicy } from './policy.ts';

/** One alert as Alertmanager is sent it: the alert, the labels it goes by there, its end. */
export interface PushedAlert {
  readonly alert: Alert;
  readonly labels: Readonly<Record<string, string>>;
  /** Set once the alert, or its incident, resolved: Alertmanager then sends the resolve. */
  readonly endsAt: string | null;
}

/**
 * What Alertmanager is sent for these alerts: each alert of an incident once per escalation
 * step that is due (labelled `incident` and `escalation_step`, which its routes match), so a
 * step's receivers are told when the step is reached and hear of the resolve; an alert whose
 * incident has no step due yet is sent once with its incident only (the quiet route). An alert
 * with no incident is sent as it is. A resolved incident ends its alerts' copies with it.
 */
export function escalatedAlerts(
  alerts: readonly Alert[],
  incidentOf: (alert: Alert) => EscalatedIncident | undefined,
  policy: NotificationPolicy,
  now: number,
): PushedAlert[] {
  return alerts.flatMap((alert) => {
    const incident = incidentOf(alert);
    if (!incident) return [{ alert, labels: alert.labels, endsAt: alert.endsAt }];
    const labels = { ...alert.labels, incident: incident.id };
    const endsAt =
      alert.endsAt ??
      (incident.resolvedAt === undefined ? null : new Date(incident.resolvedAt).toISOString());
    const { due } = escalationPlan(incident, policy, now);
    if (due.length === 0) return [{ alert, labels, endsAt }];
    return due.map((step) => ({ alert, labels: { ...labels, escalation_step: step }, endsAt }));
  });
}
