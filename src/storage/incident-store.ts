import { createHash } from 'node:crypto';
import type { Client, estypes } from '@elastic/elasticsearch';
import type { Incident, TimelineEntry } from '../contracts/incident.ts';
import type { IncidentStatus } from '../contracts/api/incidents.ts';
import { indices } from '../contracts/indices.ts';
import { lenient } from './queries/search-options.ts';

export interface IncidentFilter {
  readonly statuses: readonly IncidentStatus[];
  readonly service?: string | undefined;
  /** Incidents active at some time in [from, to): started before `to`, not resolved before `from`. */
  readonly from?: number | undefined;
  readonly to?: number | undefined;
  readonly limit: number;
}

/** An incident as stored, with the version a conditional write must match. */
export interface StoredIncident {
  readonly incident: Incident;
  readonly seqNo: number;
  readonly primaryTerm: number;
}

/** An incident to write: new (no version) or an update of the version read. */
export interface IncidentWrite {
  readonly incident: Incident;
  readonly version?: { readonly seqNo: number; readonly primaryTerm: number } | undefined;
}

/** What a change of one incident makes: its new state and what to add to its timeline. */
export interface IncidentChange {
  readonly incident: Incident;
  readonly entries: readonly TimelineEntry[];
}

const CONDITIONAL_RETRIES = 5;

const status = (error: unknown): number | undefined =>
  (error as { meta?: { statusCode?: number } }).meta?.statusCode;

/**
 * Incidents and their timelines in Elasticsearch, so replicas agree and a restart keeps them.
 * An incident is written only over the version that was read (the evaluating replica groups
 * while any replica's API acknowledges): a write that lost the race changes nothing and is made
 * again from the newer state. Timeline entries are stored under ids of their content, so
 * appending one twice (a retried evaluation) stores it once. Writes wait for the refresh.
 */
export class IncidentStore {
  private readonly client: Client;

  constructor(client: Client) {
    this.client = client;
  }

  async list(filter: IncidentFilter): Promise<Incident[]> {
    const must: estypes.QueryDslQueryContainer[] = [{ terms: { status: [...filter.statuses] } }];
    if (filter.service !== undefined) must.push({ term: { services: filter.service } });
    if (filter.to !== undefined)
      must.push({ range: { startedAt: { lt: new Date(filter.to).toISOString() } } });
    if (filter.from !== undefined) {
      const from = new Date(filter.from).toISOString();
      must.push({
        bool: {
          should: [
            { bool: { must_not: { exists: { field: 'resolvedAt' } } } },
            { range: { resolvedAt: { gte: from } } },
          ],
          minimum_should_match: 1,
        },
      });
    }
    const result = await this.client.search<Incident>({
      index: indices.incidents.index,
      size: filter.limit,
      ...lenient,
      query: { bool: { filter: must } },
      sort: [{ startedAt: { order: 'desc' } }, { id: { order: 'asc' } }],
    });
    return result.hits.hits.flatMap((hit) => (hit._source ? [hit._source] : []));
  }

  async get(id: string): Promise<Incident | undefined> {
    return (await this.read(id))?.incident;
  }

  /** The incident's timeline, oldest first. */
  async timeline(incidentId: string, limit = 1000): Promise<TimelineEntry[]> {
    const result = await this.client.search<TimelineEntry>({
      index: indices.incidentTimeline.index,
      size: limit,
      ...lenient,
      query: { term: { incidentId } },
      sort: [{ at: { order: 'asc' } }],
    });
    return result.hits.hits.flatMap((hit) => (hit._source ? [hit._source] : []));
  }

  /**
   * Adds entries to incidents' timelines (a notification sent or failed, a silence). Entries
   * equal in incident, kind, time and text are one entry: appending again stores nothing new.
   */
  async appendTimeline(entries: readonly TimelineEntry[]): Promise<void> {
    if (entries.length === 0) return;
    const operations = entries.flatMap((entry) => [
      { index: { _index: indices.incidentTimeline.index, _id: entryId(entry) } },
      entry,
    ]);
    const result = await this.client.bulk({ operations, refresh: 'wait_for' });
    const failed = result.items.find((item) => Object.values(item)[0]?.error !== undefined);
    if (failed) {
      const reason = Object.values(failed)[0]?.error?.reason ?? 'unknown';
      throw new Error(`appending to an incident timeline failed: ${reason}`);
    }
  }

  /**
   * What grouping starts from: every incident not resolved, and the ones named (those the
   * alerts point at, resolved by hand or not), with their versions.
   */
  async forGrouping(named: readonly string[]): Promise<StoredIncident[]> {
    const result = await this.client.search<Incident>({
      index: indices.incidents.index,
      size: 10_000,
      ...lenient,
      seq_no_primary_term: true,
      query: {
        bool: {
          should: [
            { bool: { must_not: { term: { status: 'resolved' } } } },
            ...(named.length > 0 ? [{ ids: { values: [...named] } }] : []),
          ],
          minimum_should_match: 1,
        },
      },
    });
    return result.hits.hits.flatMap((hit) =>
      hit._source && hit._seq_no !== undefined && hit._primary_term !== undefined
        ? [{ incident: hit._source, seqNo: hit._seq_no, primaryTerm: hit._primary_term }]
        : [],
    );
  }

  /**
   * Writes incidents (new ones only if absent, others only over the version read) and then
   * their timeline entries. Returns the ids whose write lost a race: they changed meanwhile and
   * are grouped again from the stored state next time.
   */
  async save(
    writes: readonly IncidentWrite[],
    entries: readonly TimelineEntry[],
  ): Promise<{ conflicts: string[] }> {
    if (writes.length === 0) {
      await this.appendTimeline(entries);
      return { conflicts: [] };
    }
    const operations = writes.flatMap(({ incident, version }) => [
      version
        ? {
            index: {
              _index: indices.incidents.index,
              _id: incident.id,
              if_seq_no: version.seqNo,
              if_primary_term: version.primaryTerm,
            },
          }
        : { create: { _index: indices.incidents.index, _id: incident.id } },
      incident,
    ]);
    const result = await this.client.bulk({ operations, refresh: 'wait_for' });
    const conflicts: string[] = [];
    for (const [i, item] of result.items.entries()) {
      const outcome = Object.values(item)[0];
      if (outcome?.error === undefined) continue;
      if (outcome.status !== 409) {
        throw new Error(`saving incidents failed (${outcome.error.type}): ${outcome.error.reason}`);
      }
      conflicts.push(writes[i]?.incident.id ?? '');
    }
    await this.appendTimeline(entries.filter((entry) => !conflicts.includes(entry.incidentId)));
    return { conflicts };
  }

  /**
   * Changes one incident from its stored state, over the version read, and appends the
   * change's entries: read → change → conditional write, again from the newer state when
   * another write came first. `change` may throw (the incident cannot change so); an absent
   * incident resolves undefined.
   */
  async update(
    id: string,
    change: (incident: Incident) => IncidentChange,
  ): Promise<Incident | undefined> {
    for (let attempt = 0; ; attempt += 1) {
      const read = await this.read(id);
      if (!read) return undefined;
      const changed = change(read.incident);
      try {
        await this.client.index({
          index: indices.incidents.index,
          id,
          document: changed.incident,
          if_seq_no: read.seqNo,
          if_primary_term: read.primaryTerm,
          refresh: 'wait_for',
        });
      } catch (error) {
        if (status(error) === 409 && attempt < CONDITIONAL_RETRIES) continue;
        throw error;
      }
      await this.appendTimeline(changed.entries);
      return changed.incident;
    }
  }

  private async read(id: string): Promise<StoredIncident | undefined> {
    try {
      const doc = await this.client.get<Incident>({ index: indices.incidents.index, id });
      if (!doc._source || doc._seq_no === undefined || doc._primary_term === undefined)
        return undefined;
      return { incident: doc._source, seqNo: doc._seq_no, primaryTerm: doc._primary_term };
    } catch (error) {
      if (status(error) === 404) return undefined;
      throw error;
    }
  }
}

const entryId = (entry: TimelineEntry): string =>
  createHash('sha256')
    .update(JSON.stringify([entry.incidentId, entry.kind, entry.at, entry.text]))
    .digest('hex')
    .slice(0, 24);
