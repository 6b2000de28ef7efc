import { alertId } from './alert.ts';
import type { AlertRule } from './rules.ts';
import type { Observation } from './state-machine.ts';

/** What a rule saw for one service: its labels (and id), value, whether it breaches, and why. */
export function observation(
  rule: AlertRule,
  service: string,
  value: number,
  active: boolean,
  exemplars: readonly string[] = [],
  more: { labels?: Record<string, string>; details?: Record<string, string> } = {},
): Observation {
  const labels = {
    alertname: rule.name,
    service,
    severity: rule.severity,
    ...rule.labels,
    ...more.labels,
  };
  return {
    id: alertId(rule.name, labels),
    labels,
    service,
    active,
    value,
    exemplarTraceIds: exemplars,
    details: more.details,
  };
}
