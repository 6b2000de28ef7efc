import { createHash } from 'node:crypto';
import type { Client } from '@elastic/elasticsearch';
import type { Alert, AlertState, AlertTransition } from '../contracts/alert.ts';
import { indices } from '../contracts/indices.ts';
import { lenient } from './queries/search-options.ts';

export interface AlertFilter {
  readonly states: readonly AlertState[];
  readonly service?: string | undefined;
  readonly severity?: string | undefined;
  readonly limit: number;
}

/**
 * Alert state and history in Elasticsearch, so a restart (or another replica) loses nothing.
 * Writes wait for the refresh, so what the evaluator wrote is what the API reads next.
 */
export class AlertStore {
  private readonly client: Client;

  constructor(client: Client) {
    this.client = client;
  }

  /** Alerts still pending or firing: the evaluator's state after a restart. */
  async active(): Promise<Alert[]> {
    return this.list({ states: ['pending', 'firing'], limit: 10_000 });
  }

  async list(filter: AlertFilter): Promise<Alert[]> {
    const must: object[] = [{ terms: { state: filter.states } }];
    if (filter.service !== undefined) must.push({ term: { service: filter.service } });
    if (filter.severity !== undefined) must.push({ term: { severity: filter.severity } });
    const result = await this.client.search<Alert>({
      index: indices.alerts.index,
      size: filter.limit,
      ...lenient,
      query: { bool: { filter: must } },
      sort: [{ severityRank: { order: 'desc' } }, { startsAt: { order: 'desc' } }],
    });
    return result.hits.hits.flatMap((hit) => (hit._source ? [stored(hit._source)] : []));
  }

  async get(id: string): Promise<Alert | undefined> {
    const result = await this.client.search<Alert>({
      index: indices.alerts.index,
      size: 1,
      ...lenient,
      query: { ids: { values: [id] } },
    });
    const source = result.hits.hits[0]?._source;
    return source && stored(source);
  }

  async history(id: string, limit = 1000): Promise<AlertTransition[]> {
    const result = await this.client.search<AlertTransition>({
      index: indices.alertHistory.index,
      size: limit,
      ...lenient,
      query: { term: { id } },
      sort: [{ at: { order: 'asc' } }],
    });
    return result.hits.hits.flatMap((hit) => (hit._source ? [hit._source] : []));
  }

  /**
   * Saves changed alerts, deletes ones that went back to inactive, and appends transitions to
   * the history, in one request: a replica killed mid-commit stores both or neither. Throws
   * unless every alert was saved; then this evaluation's `fresh` transitions are taken back out
   * of the history (the caller adopts nothing and makes them again next time). `carried` ones
   * belong to states adopted before and stay. Each transition is stored under an id made of its
   * content, so appending one again (a retry after the history part failed) stores it once.
   */
  async commit(
    saved: readonly Alert[],
    deleted: readonly string[],
    history: {
      readonly carried: readonly AlertTransition[];
      readonly fresh: readonly AlertTransition[];
    },
  ): Promise<{ historySaved: boolean }> {
    const operations: object[] = [];
    for (const alert of saved)
      operations.push({ index: { _index: indices.alerts.index, _id: alert.id } }, alert);
    for (const id of deleted)
      operations.push({ delete: { _index: indices.alerts.index, _id: id } });
    const stateOperations = saved.length + deleted.length;
    for (const transition of [...history.carried, ...history.fresh])
      operations.push(
        { index: { _index: indices.alertHistory.index, _id: transitionId(transition) } },
        transition,
      );
    if (operations.length === 0) return { historySaved: true };
    const result = await this.client.bulk({ operations, refresh: 'wait_for' });
    const failed = (items: typeof result.items) =>
      items.filter((item) => {
        const outcome = Object.values(item)[0];
        return outcome?.error !== undefined && outcome.status !== 404;
      });
    const stateFailed = failed(result.items.slice(0, stateOperations));
    if (stateFailed.length > 0) {
      await this.client
        .bulk({
          operations: history.fresh.map((t) => ({
            delete: { _index: indices.alertHistory.index, _id: transitionId(t) },
          })),
          refresh: 'wait_for',
        })
        .catch(() => undefined);
      const reason = Object.values(stateFailed[0] ?? {})[0]?.error?.type ?? 'unknown';
      throw new Error(
        `saving alerts failed for ${stateFailed.length} of ${stateOperations} (${reason})`,
      );
    }
    return { historySaved: failed(result.items.slice(stateOperations)).length === 0 };
  }
}

/** An alert stored before incidents existed has no incidentId: it belongs to none yet. */
const stored = (alert: Alert): Alert => ({ ...alert, incidentId: alert.incidentId ?? null });

const transitionId = (t: AlertTransition): string =>
  createHash('sha256')
    .update(JSON.stringify([t.id, t.from, t.to, t.at]))
    .digest('hex')
    .slice(0, 24);
