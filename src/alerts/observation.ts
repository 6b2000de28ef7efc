import { alertId } from './alert.ts';
import type { AlertRule } from './rules.ts';
import type { Observation } from './state-machine.ts';

/** What a rule saw for one service. */
export interface Seen {
  readonly rule: AlertRule;
  readonly service: string;
  /** The rule's figure (a rate, a percentile, a count…). */
  readonly value: number;
  /** Whether it breaches the rule. */
  readonly active: boolean;
  /** Whether the value is past the threshold, evidence aside (rules that ask for evidence). */
  readonly beyondThreshold?: boolean | undefined;
  /** Traces that show why (recent failures, the slowest requests). */
  readonly exemplars?: readonly string[] | undefined;
  /** Labels beyond the rule's own: they make a separate alert (a pattern per message). */
  readonly labels?: Readonly<Record<string, string>> | undefined;
  /** What the alert should say beyond the value (a pattern's first time). */
  readonly details?: Readonly<Record<string, string>> | undefined;
}

/** An observation from what a rule saw: its labels and id, value, whether it breaches, and why. */
export function observation(seen: Seen): Observation {
  const { rule, service } = seen;
  const labels = {
    alertname: rule.name,
    service,
    severity: rule.severity,
    ...rule.labels,
    ...seen.labels,
  };
  return {
    id: alertId(rule.name, labels),
    labels,
    service,
    active: seen.active,
    beyondThreshold: seen.beyondThreshold,
    value: seen.value,
    exemplarTraceIds: seen.exemplars ?? [],
    details: seen.details,
  };
}
