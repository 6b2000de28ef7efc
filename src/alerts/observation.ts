import type { Client } from '@elastic/elasticsearch';
import type { LogStats } from '../contracts/log-stats.ts';
import type { RequestStats } from '../contracts/request-stats.ts';
import type { TimeRange } from '../contracts/time-range.ts';
import { logStats, type LogQuery } from '../storage/queries/log-stats.ts';
import { exemplarTraceIds, type ExemplarKind } from '../storage/queries/exemplars.ts';
import { requestStats, type RequestQuery } from '../storage/queries/request-stats.ts';
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

/**
 * What one evaluation reads from Elasticsearch, each distinct question asked once: rules that
 * need the same figures or exemplars (the two default p95 rules share a window, and fire for the
 * same slow service; the log error rate and new patterns read the same log counts) share one
 * query.
 */
export interface EvaluationReader {
  requests(query: RequestQuery): Promise<RequestStats[]>;
  logs(query: LogQuery): Promise<LogStats[]>;
  exemplars(kind: ExemplarKind, service: string, range: TimeRange): Promise<string[]>;
}

function memoized<A extends unknown[], R>(
  ask: (...args: A) => Promise<R>,
): (...args: A) => Promise<R> {
  const asked = new Map<string, Promise<R>>();
  return (...args) => {
    const key = JSON.stringify(args);
    let answer = asked.get(key);
    if (!answer) {
      answer = ask(...args);
      asked.set(key, answer);
    }
    return answer;
  };
}

export function evaluationReader(client: Client): EvaluationReader {
  return {
    requests: memoized((query: RequestQuery) => requestStats(client, query)),
    logs: memoized((query: LogQuery) => logStats(client, query)),
    exemplars: memoized((kind: ExemplarKind, service: string, range: TimeRange) =>
      exemplarTraceIds(client, kind, service, range),
    ),
  };
}
