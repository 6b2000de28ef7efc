import type { Alert, AlertTransition } from '../contracts/alert.ts';
import type { AlertStore } from '../storage/alert-store.ts';
import type { AlertLease } from '../storage/alert-lease.ts';
import type { Client } from '../storage/client.ts';
import { evaluationReader } from '../storage/evaluation-reader.ts';
import { pushToAlertmanager, type AlertmanagerSettings } from './alertmanager.ts';
import { observe } from './observe.ts';
import type { AlertRule } from './rules.ts';
import { advance, retire, type Observation, type Step } from './state-machine.ts';

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
  /**
   * Shared with other replicas: only its holder evaluates and notifies. Without one, this
   * engine assumes it is alone.
   */
  readonly lease?: AlertLease | undefined;
  /** Told when this replica starts or stops evaluating (the service's logger). */
  readonly roleChanged?: (role: EngineRole, holder: string | undefined) => void;
}

/** What a replica's engine does: evaluates (it holds the lease, or runs alone) or stands by. */
export type EngineRole = 'evaluating' | 'standby';

interface NextState {
  readonly alerts: Map<string, Alert>;
  readonly saved: Alert[];
  readonly deleted: string[];
  readonly transitions: AlertTransition[];
  readonly resolved: Alert[];
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
  private alerts = new Map<string, Alert>();
  /** Transitions of adopted states that the history does not hold yet. */
  private unsavedHistory: AlertTransition[] = [];
  /** Resolved alerts Alertmanager has not acknowledged yet. */
  private unsentResolved: Alert[] = [];
  private loaded = false;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private lastError: string | undefined;
  private currentRole: EngineRole | undefined;

  readonly rules: readonly AlertRule[];
  /** The rules, those with `unless` last: each sees the alerts of the rule it names as this evaluation left them. */
  private readonly evaluationOrder: readonly AlertRule[];
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
    this.evaluationOrder = [
      ...rules.filter((rule) => rule.unless === undefined),
      ...rules.filter((rule) => rule.unless !== undefined),
    ];
    this.settings = settings;
  }

  /**
   * One evaluation, committed only once stored: the next state is computed into a copy, the
   * changed alerts are written, and only then adopted. A failed write moves nothing, so the next
   * evaluation makes the same transitions again. Transitions are appended to the history after
   * that with ids of their own content, and retried until stored, so a retry never repeats one.
   */
  async evaluateOnce(): Promise<EvaluationReport> {
    if (!this.loaded) {
      this.alerts = new Map((await this.store.active()).map((alert) => [alert.id, alert]));
      this.loaded = true;
    }
    const now = this.settings.now();
    const next = await this.nextState(now);
    const { lease } = this.settings;
    // A replica that lost the lease while evaluating (a long pause) writes nothing: the new
    // holder evaluates from the stored state.
    if (lease && !lease.held())
      throw new Error('lost the alert lease during evaluation; wrote nothing');
    const history = { carried: this.unsavedHistory, fresh: next.transitions };
    // One request for state and history, so a replica killed between them loses no transition.
    const { historySaved } = await this.store.commit(next.saved, next.deleted, history);
    this.alerts = next.alerts;
    this.unsavedHistory = historySaved
      ? []
      : [...this.unsavedHistory, ...next.transitions].slice(-10_000);
    if (!historySaved) this.settings.warn('alert history not saved yet: retried next evaluation');
    await this.notify(next.resolved);
    return { at: now, transitions: next.transitions, active: this.alerts.size };
  }

  /** What every rule's observations make of the current alerts; changes nothing. */
  private async nextState(now: number): Promise<NextState> {
    const to = now - this.settings.queryOffsetMs;
    const alerts = new Map(this.alerts);
    const next: NextState = { alerts, saved: [], deleted: [], transitions: [], resolved: [] };
    const apply = (previous: Alert | undefined, id: string, step: Step): void => {
      if (step.transition) next.transitions.push(step.transition);
      if (step.alert === undefined) {
        if (previous) next.deleted.push(id);
        alerts.delete(id);
      } else if (step.alert !== previous) {
        next.saved.push(step.alert);
        if (step.alert.state === 'resolved') {
          alerts.delete(id);
          next.resolved.push(step.alert);
        } else alerts.set(id, step.alert);
      }
    };
    const ruleNames = new Set(this.rules.map((rule) => rule.name));
    // Alerts of a rule that was removed or renamed: nothing will evaluate them again.
    for (const alert of this.alerts.values()) {
      if (!ruleNames.has(alert.rule)) apply(alert, alert.id, retire(alert, now));
    }
    const read = evaluationReader(this.client);
    for (const rule of this.evaluationOrder) {
      const observed = await observe(this.client, rule, { from: to - rule.window, to }, read);
      // A breach another rule's alert already covers is no breach; it keeps its value.
      const observations = observed.map((o) =>
        o.active && covered(alerts, rule, o) ? { ...o, active: false } : o,
      );
      const seen = new Set(observations.map((o) => o.id));
      // An active alert whose service sent nothing this window is an inactive observation.
      for (const alert of this.alerts.values()) {
        if (alert.rule !== rule.name || seen.has(alert.id)) continue;
        observations.push(quiet(alert));
      }
      for (const observation of observations) {
        const previous = alerts.get(observation.id);
        apply(previous, observation.id, advance(previous, observation, rule, now));
      }
    }
    return next;
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

  /**
   * One scheduled tick: with a lease, claim it first and stand by unless held. A replica that
   * takes the lease over starts from the state the last holder stored, not from its own memory.
   */
  private async tickOnce(): Promise<'ok' | 'standby'> {
    const { lease } = this.settings;
    const held = lease ? await lease.claim() : true;
    const role: EngineRole = held ? 'evaluating' : 'standby';
    if (role !== this.currentRole) {
      if (role === 'evaluating') {
        this.loaded = false;
        this.unsentResolved = [];
      }
      this.currentRole = role;
      this.settings.roleChanged?.(role, lease?.current?.holder);
    }
    if (!held) return 'standby';
    await this.evaluateOnce();
    return 'ok';
  }

  /** Evaluates now and then every interval until stop(); failures are reported, never thrown. */
  start(): void {
    const tick = (): void => {
      const started = performance.now();
      const took = (): number => (performance.now() - started) / 1000;
      this.running = this.tickOnce()
        .then((outcome) => {
          if (outcome === 'ok') this.settings.evaluated?.('ok', took());
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

  /** Stops ticking; a lease held is given up, so another replica takes over at once. */
  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
    try {
      await this.settings.lease?.release();
    } catch (error) {
      this.settings.warn(`alert lease not released (it expires): ${(error as Error).message}`);
    }
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

/** True when the rule's `unless` rule has an alert pending or firing for the same service. */
function covered(alerts: ReadonlyMap<string, Alert>, rule: AlertRule, seen: Observation): boolean {
  if (rule.unless === undefined) return false;
  for (const alert of alerts.values()) {
    if (alert.rule !== rule.unless || alert.service !== seen.service) continue;
    if (alert.state === 'pending' || alert.state === 'firing') return true;
  }
  return false;
}
