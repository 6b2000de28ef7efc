import type { Client } from '@elastic/elasticsearch';
import type { LogStats, MessageCount } from '../contracts/log-stats.ts';
import type { RequestStats } from '../contracts/request-stats.ts';
import type { TimeRange } from '../contracts/time-range.ts';
import type { StorageDeletion } from '../contracts/storage-deletion.ts';
import { deletionsBetween } from './maintenance/deletions-log.ts';
import { errorMessagesByService, type MessageQuery } from './queries/error-messages.ts';
import { exemplarTraceIds, type ExemplarKind } from './queries/exemplars.ts';
import {
  logHistories,
  logStats,
  type LogHistoryQuery,
  type LogStatsQuery,
} from './queries/log-stats.ts';
import { requestStats, type RequestQuery } from './queries/request-stats.ts';

/**
 * What one evaluation of the alert rules (or one SLO report) reads from Elasticsearch, each
 * distinct question asked once: rules that need the same figures or exemplars (the two default
 * p95 rules share a window, and fire for the same slow service; the log error rate and new
 * patterns read the same log counts) share one query. Make one per evaluation: answers are
 * kept for its life.
 */
export interface EvaluationReader {
  requests(query: RequestQuery): Promise<RequestStats[]>;
  logs(query: LogStatsQuery): Promise<LogStats[]>;
  /** Each service's record counts in time buckets, by service: a search for many services. */
  logHistories(query: LogHistoryQuery): Promise<Map<string, LogStats[]>>;
  exemplars(kind: ExemplarKind, service: string, range: TimeRange): Promise<string[]>;
  errorMessages(range: TimeRange, query: MessageQuery): Promise<Map<string, MessageCount[]>>;
  /** What storage maintenance deleted (or was refused) in the range, newest first. */
  deletions(range: TimeRange): Promise<StorageDeletion[]>;
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
    logs: memoized((query: LogStatsQuery) => logStats(client, query)),
    logHistories: memoized((query: LogHistoryQuery) => logHistories(client, query)),
    exemplars: memoized((kind: ExemplarKind, service: string, range: TimeRange) =>
      exemplarTraceIds(client, kind, service, range),
    ),
    errorMessages: memoized((range: TimeRange, query: MessageQuery) =>
      errorMessagesByService(client, range, query),
    ),
    deletions: memoized((range: TimeRange) => deletionsBetween(client, range)),
  };
}
