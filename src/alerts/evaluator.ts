import type { Alert, AlertTransition } from '../contracts/alert.ts';
import type { AlertStore } from '../storage/alert-store.ts';
import type { Client } from '../storage/client.ts';
import { evaluationReader } from '../storage/evaluation-reader.ts';
import { httpTarget } from '../contracts/http-target.ts';
import type { Incident } from '../contracts/incident.ts';
import type { AlertmanagerSettings } from './alertmanager.ts';
import { nextState, type NextState } from './next-state.ts';
import { escalatedIncident, type EscalatedIncident } from './notifications/escalation.ts';
import { IncidentNotifier } from './notifications/incident-notifier.ts';
import type { NotificationPolicy } from './notifications/policy.ts';
import type { AlertRule } from './rules.ts';

export interface EvaluatorSettings {
  /** Evaluate windows ending this long ago, so late-arriving data is counted. */
  readonly queryOffsetMs: number;
  readonly alertmanager?: AlertmanagerSettings | undefined;
  /** Who is told of incidents and when (escalation steps); without it, nobody is. */
  readonly notificationPolicy?: NotificationPolicy | undefined;
  readonly now: () => number;
  /** Where problems go (the service's logger). */
  readonly warn: (message: string) => void;
  /**
   * Whether this replica may still write: false once it lost the alert lease during an
   * evaluation (a long pause). Without it, the evaluator assumes it is alone.
   */
  readonly mayWrite?: (() => boolean) | undefined;
  /** Groups the alerts into incidents on each evaluation; without it, alerts have none. */
  readonly incidents?: IncidentGrouping | undefined;
}

/** The evaluation's incident step (src/alerts/incident-grouper.ts). */
export interface IncidentGrouping {
  /** Stores the incidents the alerts make; returns the alerts that now point at another one. */
  group(alerts: readonly Alert[], now: number): Promise<readonly Alert[]>;
  /** An incident as the last grouping stored it (or read it): what notifications escalate. */
  incident(id: string): Incident | undefined;
}

export interface EvaluationReport {
  readonly at: number;
  readonly transitions: readonly AlertTransition[];
  readonly active: number;
}

/** How many unsaved transitions, and unsent resolved alerts, are kept for the next try. */
const MAX_UNSAVED_HISTORY = 10_000;
const MAX_UNSENT_RESOLVED = 1000;

/**
 * One evaluation of every rule: observe → next state → commit → notify. Its alerts are loaded
 * from Elasticsearch before the first evaluation, so a restart neither loses alerts nor starts
 * them over; after that they are the state it last stored.
 */
export class AlertEvaluator {
  private alerts = new Map<string, Alert>();
  /** Transitions of adopted states that the history does not hold yet. */
  private unsavedHistory: AlertTransition[] = [];
  /** Resolved alerts Alertmanager has not taken yet, with their incidents as they resolved. */
  private unsentResolved: Unsent[] = [];
  private loaded = false;

  private readonly client: Client;
  private readonly store: AlertStore;
  private readonly rules: readonly AlertRule[];
  private readonly settings: EvaluatorSettings;
  private readonly notifier: IncidentNotifier | undefined;

  constructor(
    client: Client,
    store: AlertStore,
    rules: readonly AlertRule[],
    settings: EvaluatorSettings,
  ) {
    this.client = client;
    this.store = store;
    this.rules = rules;
    this.settings = settings;
    this.notifier =
      settings.alertmanager &&
      new IncidentNotifier(settings.alertmanager, settings.notificationPolicy);
  }

  /**
   * Forgets what it holds in memory: the next evaluation starts from the stored state. For a
   * replica that takes the lease over from another, whose state is the stored one.
   */
  forget(): void {
    this.loaded = false;
    this.unsentResolved = [];
  }

  /**
   * One evaluation, adopted only once stored: the next state is computed into a copy, stored
   * (alerts and history in one request), and only then adopted. A failed write moves nothing,
   * so the next evaluation makes the same transitions again; history that did not land is
   * carried to the next commit, under ids of its own content, so a retry never repeats one.
   */
  async evaluate(): Promise<EvaluationReport> {
    await this.load();
    const now = this.settings.now();
    const next = await this.observe(now);
    this.mayStillWrite();
    await this.group(next, now);
    const historySaved = await this.commit(next);
    this.adopt(next, historySaved);
    await this.notify(next.resolved, now);
    return { at: now, transitions: next.transitions, active: this.alerts.size };
  }

  private async load(): Promise<void> {
    if (this.loaded) return;
    this.alerts = new Map((await this.store.active()).map((alert) => [alert.id, alert]));
    this.loaded = true;
  }

  /** What every rule sees now makes of the current alerts; changes nothing. */
  private observe(now: number): Promise<NextState> {
    return nextState({
      client: this.client,
      read: evaluationReader(this.client),
      rules: this.rules,
      alerts: this.alerts,
      now,
      to: now - this.settings.queryOffsetMs,
    });
  }

  /** A replica that lost the lease while evaluating writes nothing: the new holder evaluates. */
  private mayStillWrite(): void {
    if (this.settings.mayWrite && !this.settings.mayWrite())
      throw new Error('lost the alert lease during evaluation; wrote nothing');
  }

  /**
   * Incidents are stored before the alerts that point at them. Grouping that fails leaves the
   * alerts as they were (and is tried again next evaluation): alerting does not wait for it.
   */
  private async group(next: NextState, now: number): Promise<void> {
    const { incidents } = this.settings;
    if (!incidents) return;
    let regrouped: readonly Alert[];
    try {
      regrouped = await incidents.group([...next.alerts.values(), ...next.resolved], now);
    } catch (error) {
      this.settings.warn(`incidents not grouped (tried again): ${(error as Error).message}`);
      return;
    }
    for (const alert of regrouped) {
      const replace = (list: Alert[]): boolean => {
        const at = list.findIndex((a) => a.id === alert.id);
        if (at >= 0) list[at] = alert;
        return at >= 0;
      };
      if (!replace(next.saved)) next.saved.push(alert);
      if (alert.state === 'resolved') replace(next.resolved);
      else next.alerts.set(alert.id, alert);
    }
  }

  /** Stores state and history in one request, so a replica killed between them loses nothing. */
  private async commit(next: NextState): Promise<boolean> {
    const history = { carried: this.unsavedHistory, fresh: next.transitions };
    const { historySaved } = await this.store.commit(next.saved, next.deleted, history);
    return historySaved;
  }

  private adopt(next: NextState, historySaved: boolean): void {
    this.alerts = next.alerts;
    this.unsavedHistory = historySaved
      ? []
      : [...this.unsavedHistory, ...next.transitions].slice(-MAX_UNSAVED_HISTORY);
    if (!historySaved) this.settings.warn('alert history not saved yet: retried next evaluation');
  }

  /**
   * Firing alerts again (Alertmanager expects that), and every resolved one until it is sent,
   * each as its incident's escalation has it (IncidentNotifier). A resolved alert keeps the
   * incident it resolved with, so a resolve sent late still reaches its incident's receivers.
   */
  private async notify(resolved: readonly Alert[], now: number): Promise<void> {
    const { notifier } = this;
    const { alertmanager } = this.settings;
    if (!notifier || !alertmanager) return;
    const incidentOf = (alert: Alert): EscalatedIncident | undefined => {
      const incident =
        alert.incidentId === null ? undefined : this.settings.incidents?.incident(alert.incidentId);
      return incident && escalatedIncident(incident);
    };
    const unsent = [
      ...this.unsentResolved,
      ...resolved.map((alert) => ({ alert, incident: incidentOf(alert) })),
    ];
    const kept = new Map(unsent.map((u) => [u.alert.id, u.incident]));
    const firing = [...this.alerts.values()].filter((alert) => alert.state === 'firing');
    try {
      await notifier.push(
        [...firing, ...unsent.map((u) => u.alert)],
        (alert) => (kept.has(alert.id) ? kept.get(alert.id) : incidentOf(alert)),
        now,
      );
      this.unsentResolved = [];
    } catch (error) {
      this.unsentResolved = unsent.slice(-MAX_UNSENT_RESOLVED);
      const { url } = httpTarget(alertmanager.url);
      // The configured URL may carry a password (basic auth): log it without.
      this.settings.warn(`could not notify Alertmanager at ${url}: ${(error as Error).message}`);
    }
  }
}

/** A resolved alert not sent yet, and its incident when it resolved. */
interface Unsent {
  readonly alert: Alert;
  readonly incident: EscalatedIncident | undefined;
}
