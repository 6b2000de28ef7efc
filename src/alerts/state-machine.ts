import type { Alert, AlertTransition } from '../contracts/alert.ts';
import type { AlertRule } from './rules.ts';
import { severityRank } from './severity.ts';

/** What one evaluation found for one (rule, labels) pair. */
export interface Observation {
  readonly id: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly service: string | null;
  readonly active: boolean;
  /**
   * The value is past the threshold, whether or not the data show it beyond chance. Undefined:
   * as `active`. A firing alert holds while this is true (see fromFiring).
   */
  readonly beyondThreshold?: boolean | undefined;
  readonly value: number;
  readonly exemplarTraceIds: readonly string[];
  /** What the alert should say beyond the value (a pattern's first time): added to its annotations. */
  readonly details?: Readonly<Record<string, string>> | undefined;
}

export interface Step {
  /** The alert after this evaluation; undefined when there is none (inactive). */
  readonly alert: Alert | undefined;
  readonly transition: AlertTransition | undefined;
}

/** A rule's figure as people read it: a rate as a percentage ("21.7%"), else a number. */
function formatValue(rule: AlertRule, value: number): string {
  if (rule.kind === 'error_rate' || (rule.kind === 'baseline' && rule.metric === 'error_rate'))
    return `${Number((value * 100).toPrecision(3))}%`;
  if (rule.kind === 'slo_burn') return `${Number(value.toPrecision(3))}×`;
  return Number.isInteger(value) ? String(value) : String(Number(value.toFixed(1)));
}

/** A template with `{{service}}`, `{{value}}`, `{{threshold}}` and any label or detail filled in. */
function render(template: string | undefined, observation: Observation, rule: AlertRule): string {
  const known: Record<string, string> = {
    ...observation.labels,
    ...observation.details,
    service: observation.service ?? 'all services',
    value: formatValue(rule, observation.value),
    threshold: formatValue(rule, thresholdOf(rule)),
  };
  return (template ?? '').replace(
    /\{\{([\w.]+)\}\}/g,
    (whole, name: string) => known[name] ?? whole,
  );
}

/** Every annotation rendered with the current observation, and the observation's details. */
function annotationsFor(rule: AlertRule, observation: Observation): Record<string, string> {
  return {
    ...observation.details,
    ...Object.fromEntries(
      Object.entries(rule.annotations).map(([key, value]) => [
        key,
        render(value, observation, rule),
      ]),
    ),
  };
}

export function thresholdOf(rule: AlertRule): number {
  switch (rule.kind) {
    case 'latency_percentile':
      return rule.threshold_ms;
    case 'slo_burn':
      return rule.burn_rate;
    case 'log_pattern':
      return rule.min_count;
    case 'baseline':
      return rule.min_change;
    case 'storage_deletions':
      // Any deletion the guard had to make is one too many.
      return 0;
    case 'faulty_deployment':
      // The value is how many findings make the deploy worse: one is enough.
      return 0;
    default:
      return rule.threshold;
  }
}

/** One observation of one alert at one time: what every step of the state machine reads. */
interface Tick {
  readonly observation: Observation;
  readonly rule: AlertRule;
  /** Epoch ms, and the same in RFC 3339. */
  readonly now: number;
  readonly at: string;
}

/**
 * The alert state machine: inactive → pending (`for`) → firing → resolved, with
 * `keep_firing_for` holding a firing alert through short gaps so it does not flap. Pure: the
 * caller supplies the time.
 */
export function advance(
  previous: Alert | undefined,
  observation: Observation,
  rule: AlertRule,
  now: number,
): Step {
  const tick: Tick = { observation, rule, now, at: new Date(now).toISOString() };
  if (previous === undefined || previous.state === 'resolved') return begin(previous, tick);
  const updated = refreshed(previous, tick);
  return previous.state === 'pending'
    ? fromPending(previous, updated, tick)
    : fromFiring(previous, updated, tick);
}

const transitionOf = (
  { observation, rule, at }: Tick,
  from: AlertTransition['from'],
  to: AlertTransition['to'],
): AlertTransition => ({
  id: observation.id,
  rule: rule.name,
  service: observation.service,
  from,
  to,
  at,
  value: observation.value,
});

/** No alert (or a resolved one): a breach opens a new episode, pending or straight to firing. */
function begin(previous: Alert | undefined, tick: Tick): Step {
  const { observation, rule, at } = tick;
  if (!observation.active) return { alert: previous, transition: undefined };
  const state = rule.for <= 0 ? 'firing' : 'pending';
  const annotations = annotationsFor(rule, observation);
  const alert: Alert = {
    id: observation.id,
    rule: rule.name,
    severity: rule.severity,
    severityRank: severityRank(rule.severity),
    state,
    service: observation.service,
    summary: annotations.summary ?? `${rule.name} (${observation.service ?? 'all services'})`,
    description: annotations.description ?? '',
    value: observation.value,
    threshold: thresholdOf(rule),
    startsAt: at,
    endsAt: null,
    updatedAt: at,
    lastActiveAt: at,
    labels: observation.labels,
    annotations,
    exemplarTraceIds: observation.exemplarTraceIds,
    // A new episode is grouped into an incident once it fires (src/alerts/incident-grouping.ts).
    incidentId: null,
  };
  return { alert, transition: transitionOf(tick, 'inactive', state) };
}

/**
 * An active alert with this observation's value and time. The text follows the current value;
 * a quiet observation (value 0) keeps the last words, and the last exemplars.
 */
function refreshed(previous: Alert, { observation, rule, at }: Tick): Alert {
  const annotations = observation.active ? annotationsFor(rule, observation) : previous.annotations;
  return {
    ...previous,
    value: observation.value,
    updatedAt: at,
    annotations,
    summary: annotations.summary ?? previous.summary,
    description: annotations.description ?? previous.description,
    ...(observation.active || (previous.state === 'firing' && observation.beyondThreshold === true)
      ? {
          lastActiveAt: at,
          exemplarTraceIds:
            observation.exemplarTraceIds.length > 0
              ? observation.exemplarTraceIds
              : previous.exemplarTraceIds,
        }
      : {}),
  };
}

/** Pending: back to inactive when the breach stops, firing once it has lasted `for`. */
function fromPending(previous: Alert, updated: Alert, tick: Tick): Step {
  if (!tick.observation.active)
    return { alert: undefined, transition: transitionOf(tick, 'pending', 'inactive') };
  if (tick.now - Date.parse(previous.startsAt) >= tick.rule.for) {
    return {
      alert: { ...updated, state: 'firing' },
      transition: transitionOf(tick, 'pending', 'firing'),
    };
  }
  return { alert: updated, transition: undefined };
}

/**
 * Firing: resolved once the breach has been gone for `keep_firing_for`. Evidence is asked of a
 * breach to begin, not to go on: a firing alert whose value is still past the threshold holds,
 * though the window's data no longer show it beyond chance. Otherwise a regression on a sampled
 * service at low traffic, where a window holds a few kept spans, resolves and fires again each
 * time the spans thin out (a p95 regression fired 8 times in the labelled-incident benchmark).
 */
function fromFiring(previous: Alert, updated: Alert, tick: Tick): Step {
  const { observation, rule, now, at } = tick;
  const holding = observation.active || observation.beyondThreshold === true;
  if (holding || now - Date.parse(previous.lastActiveAt) < rule.keep_firing_for) {
    return { alert: updated, transition: undefined };
  }
  return {
    alert: { ...updated, state: 'resolved', endsAt: endOf(previous, at) },
    transition: transitionOf(tick, 'firing', 'resolved'),
  };
}

/**
 * Ends an alert whose rule no longer exists: a firing one resolves (and is sent resolved), a
 * pending one goes back to inactive.
 */
export function retire(alert: Alert, now: number): Step {
  const at = new Date(now).toISOString();
  const transition = (to: AlertTransition['to']): AlertTransition => ({
    id: alert.id,
    rule: alert.rule,
    service: alert.service,
    from: alert.state,
    to,
    at,
    value: alert.value,
  });
  if (alert.state !== 'firing') return { alert: undefined, transition: transition('inactive') };
  return {
    alert: { ...alert, state: 'resolved', endsAt: endOf(alert, at), updatedAt: at },
    transition: transition('resolved'),
  };
}

/**
 * When a resolved alert ended: now, but never before it started. A replica whose clock is a
 * little behind the one that fired the alert would otherwise send an end before the start, and
 * Alertmanager refuses the whole batch for it (firing alerts included).
 */
function endOf(alert: Alert, at: string): string {
  return Date.parse(at) < Date.parse(alert.startsAt) ? alert.startsAt : at;
}
