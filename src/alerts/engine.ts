import type { Client } from '@elastic/elasticsearch';
import type { Alert, AlertTransition } from './alert.ts';
import type { AlertStore } from './alert-store.ts';
import { pushToAlertmanager, type AlertmanagerSettings } from './alertmanager.ts';
import { evaluationReader, observe } from './observe.ts';
import type { AlertRule } from './rules.ts';
import { advance, type Observation } from './state-machine.ts';

export interface EngineSettings {
  readonly intervalMs: number;
  /** Evaluate windows ending this long ago, so late-arriving data is counted. */
  readonly queryOffsetMs: number;
  readonly alertmanager?: AlertmanagerSettings | undefined;
  readonly now: () => number;
  /** Where problems go (the service's logger). */
  readonly warn: (message: string) => void;
  /** Told how each scheduled evaluation went and how long it took (the service's metrics). */
  readonly evaluated?: (outcome: 'ok' | 'failed', seconds: number) => void;
}

export interface EvaluationReport {
  readonly at: number;
  readonly transitions: readonly AlertTransition[];
  readonly active: number;
}

/**
 * Evaluates every rule on a schedule, advances each alert's state machine, persists state and
 * history, and keeps Alertmanager informed. Its state is loaded from Elasticsearch before the
 * first evaluation, so a restart neither loses alerts nor starts them over.
 */
export class AlertEngine {
  private readonly alerts = new Map<string, Alert>();
  /** Resolved alerts Alertmanager has not acknowledged yet. */
  private unsentResolved: Alert[] = [];
  private loaded = false;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private lastError: string | undefined;

  readonly rules: readonly AlertRule[];
  private readonly client: Client;
  private readonly store: AlertStore;
  private readonly settings: EngineSettings;

  constructor(
    client: Client,
    store: AlertStore,
    rules: readonly AlertRule[],
    settings: EngineSettings,
  ) {
    this.client = client;
    this.store = store;
    this.rules = rules;
    this.settings = settings;
  }

  async evaluateOnce(): Promise<EvaluationReport> {
    if (!this.loaded) {
      for (const alert of await this.store.active()) this.alerts.set(alert.id, alert);
      this.loaded = true;
    }
    const now = this.settings.now();
    const to = now - this.settings.queryOffsetMs;
    const saved: Alert[] = [];
    const deleted: string[] = [];
    const transitions: AlertTransition[] = [];
    const resolved: Alert[] = [];
    const read = evaluationReader(this.client);
    for (const rule of this.rules) {
      const observations = await observe(this.client, rule, { from: to - rule.window, to }, read);
      const seen = new Set(observations.map((o) => o.id));
      // An active alert whose service sent nothing this window is an inactive observation.
      for (const alert of this.alerts.values()) {
        if (alert.rule !== rule.name || seen.has(alert.id)) continue;
        observations.push(quiet(alert));
      }
      for (const observation of observations) {
        const previous = this.alerts.get(observation.id);
        const step = advance(previous, observation, rule, now);
        if (step.transition) transitions.push(step.transition);
        if (step.alert === undefined) {
          if (previous) deleted.push(observation.id);
          this.alerts.delete(observation.id);
        } else if (step.alert !== previous) {
          saved.push(step.alert);
          if (step.alert.state === 'resolved') {
            this.alerts.delete(step.alert.id);
            resolved.push(step.alert);
          } else this.alerts.set(step.alert.id, step.alert);
        }
      }
    }
    await this.store.write(saved, deleted, transitions);
    await this.notify(resolved);
    return { at: now, transitions, active: this.alerts.size };
  }

  private async notify(resolved: readonly Alert[]): Promise<void> {
    const { alertmanager } = this.settings;
    if (!alertmanager) return;
    const firing = [...this.alerts.values()].filter((alert) => alert.state === 'firing');
    const batch = [...firing, ...this.unsentResolved, ...resolved];
    try {
      await pushToAlertmanager(alertmanager, batch);
      this.unsentResolved = [];
    } catch (error) {
      this.unsentResolved = [...this.unsentResolved, ...resolved].slice(-1000);
      this.settings.warn(
        `could not notify Alertmanager at ${alertmanager.url}: ${(error as Error).message}`,
      );
    }
  }

  /** Evaluates now and then every interval until stop(); failures are reported, never thrown. */
  start(): void {
    const tick = (): void => {
      const started = performance.now();
      const took = (): number => (performance.now() - started) / 1000;
      this.running = this.evaluateOnce()
        .then(() => {
          this.settings.evaluated?.('ok', took());
          if (this.lastError !== undefined) this.settings.warn('alert evaluation recovered');
          this.lastError = undefined;
        })
        .catch((error: unknown) => {
          this.settings.evaluated?.('failed', took());
          const message = (error as Error).message;
          if (message !== this.lastError) this.settings.warn(`alert evaluation failed: ${message}`);
          this.lastError = message;
        })
        .finally(() => {
          if (this.timer !== undefined) this.timer = setTimeout(tick, this.settings.intervalMs);
        });
    };
    this.timer = setTimeout(tick, 0);
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }
}

function quiet(alert: Alert): Observation {
  return {
    id: alert.id,
    labels: alert.labels,
    service: alert.service,
    active: false,
    value: 0,
    exemplarTraceIds: [],
  };
}
