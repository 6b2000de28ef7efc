import type { Alert, AlertTransition } from '../contracts/alert.ts';
import type { Client } from '../storage/client.ts';
import type { EvaluationReader } from '../storage/evaluation-reader.ts';
import { observe } from './observe.ts';
import type { AlertRule } from './rules.ts';
import { advance, retire, type Observation, type Step } from './state-machine.ts';

/** What one evaluation makes of the alerts: the new set, and what to store and send for it. */
export interface NextState {
  /** Pending and firing alerts after this evaluation, by id. */
  readonly alerts: Map<string, Alert>;
  readonly saved: Alert[];
  readonly deleted: string[];
  readonly transitions: AlertTransition[];
  readonly resolved: Alert[];
}

export interface Evaluation {
  readonly client: Client;
  /** One reader for the whole evaluation, so rules asking the same question share its answer. */
  readonly read: EvaluationReader;
  readonly rules: readonly AlertRule[];
  /** The alerts as last stored; not changed. */
  readonly alerts: ReadonlyMap<string, Alert>;
  readonly now: number;
  /** Where the rules' windows end. */
  readonly to: number;
}

/**
 * Every rule's observations applied to a copy of the alerts. Alerts of a rule that is gone are
 * retired first; rules with `unless` go last, so each sees the alerts of the rule it names as
 * this evaluation left them.
 */
export async function nextState(evaluation: Evaluation): Promise<NextState> {
  const { alerts: current, rules, now, to } = evaluation;
  const next: NextState = {
    alerts: new Map(current),
    saved: [],
    deleted: [],
    transitions: [],
    resolved: [],
  };
  const names = new Set(rules.map((rule) => rule.name));
  for (const alert of current.values()) {
    if (!names.has(alert.rule)) apply(next, alert, alert.id, retire(alert, now));
  }
  for (const rule of inEvaluationOrder(rules)) {
    const range = { from: to - rule.window, to };
    const observed = await observe(evaluation.client, rule, range, evaluation.read);
    for (const observation of withQuietOnes(observed, rule, current, next.alerts)) {
      const previous = next.alerts.get(observation.id);
      apply(next, previous, observation.id, advance(previous, observation, rule, now));
    }
  }
  return next;
}

const inEvaluationOrder = (rules: readonly AlertRule[]): AlertRule[] => [
  ...rules.filter((rule) => rule.unless === undefined),
  ...rules.filter((rule) => rule.unless !== undefined),
];

/** Records one alert's step: what is saved, deleted, resolved and kept. */
function apply(next: NextState, previous: Alert | undefined, id: string, step: Step): void {
  if (step.transition) next.transitions.push(step.transition);
  if (step.alert === undefined) {
    if (previous) next.deleted.push(id);
    next.alerts.delete(id);
  } else if (step.alert !== previous) {
    next.saved.push(step.alert);
    if (step.alert.state === 'resolved') {
      next.alerts.delete(id);
      next.resolved.push(step.alert);
    } else next.alerts.set(id, step.alert);
  }
}

/**
 * The rule's observations as the state machine takes them: a breach another rule's alert
 * already covers is no breach (it keeps its value), and an active alert whose service sent
 * nothing this window is observed as inactive.
 */
function withQuietOnes(
  observed: readonly Observation[],
  rule: AlertRule,
  current: ReadonlyMap<string, Alert>,
  alerts: ReadonlyMap<string, Alert>,
): Observation[] {
  const observations = observed.map((o) =>
    o.active && covered(alerts, rule, o) ? { ...o, active: false, beyondThreshold: false } : o,
  );
  const seen = new Set(observations.map((o) => o.id));
  for (const alert of current.values()) {
    if (alert.rule === rule.name && !seen.has(alert.id)) observations.push(quiet(alert));
  }
  return observations;
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
