import type { Alert } from '../../contracts/alert.ts';
import {
  expireIncidentSilences,
  pushToAlertmanager,
  type AlertmanagerSettings,
} from '../alertmanager.ts';
import { escalatedAlerts } from './escalated-alerts.ts';
import type { EscalatedIncident } from './escalation.ts';
import { NOBODY_NOTIFIED, type NotificationPolicy } from './policy.ts';

/**
 * Pushes alerts to Alertmanager as their incidents' escalation has them (see escalatedAlerts).
 * Before an acknowledged incident's resolve is pushed, its silence is lifted: the silence that
 * stopped its repeats would hold the resolve back too. Lifted once while the incident's alerts
 * are pushed; a restarted replica looks again, and finds none.
 */
export class IncidentNotifier {
  private readonly lifted = new Set<string>();
  private readonly alertmanager: AlertmanagerSettings;
  private readonly policy: NotificationPolicy;

  constructor(alertmanager: AlertmanagerSettings, policy: NotificationPolicy = NOBODY_NOTIFIED) {
    this.alertmanager = alertmanager;
    this.policy = policy;
  }

  async push(
    alerts: readonly Alert[],
    incidentOf: (alert: Alert) => EscalatedIncident | undefined,
    now: number,
  ): Promise<void> {
    const ended = new Set(
      alerts.flatMap((alert) => {
        const incident = incidentOf(alert);
        return incident?.acknowledgedAt !== undefined && incident.resolvedAt !== undefined
          ? [incident.id]
          : [];
      }),
    );
    // Only incidents still being pushed are remembered.
    for (const id of this.lifted) if (!ended.has(id)) this.lifted.delete(id);
    for (const id of ended) {
      if (this.lifted.has(id)) continue;
      await expireIncidentSilences(this.alertmanager, id);
      this.lifted.add(id);
    }
    await pushToAlertmanager(
      this.alertmanager,
      escalatedAlerts(alerts, incidentOf, this.policy, now),
    );
  }
}
