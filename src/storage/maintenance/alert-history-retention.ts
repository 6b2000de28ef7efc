import type { Client } from '@elastic/elasticsearch';
import { indices } from '../../contracts/indices.ts';
import { lenient } from '../queries/search-options.ts';

const PAGE = 1000;

/**
 * Deletes the documents of one index a query matches, a page at a time: search, then delete
 * each by id at the version it was found (the local Elasticsearch has no delete-by-query). A
 * document changed since it was found (an alert firing again under the same id) is left alone.
 */
async function deleteMatching(client: Client, index: string, query: object): Promise<number> {
  let deleted = 0;
  for (;;) {
    const found = await client.search({
      index,
      size: PAGE,
      _source: false,
      seq_no_primary_term: true,
      ...lenient,
      query,
      sort: ['_doc'],
    });
    const hits = found.hits.hits;
    if (hits.length === 0) return deleted;
    const result = await client.bulk({
      operations: hits.map((hit) => ({
        delete: {
          _index: index,
          _id: hit._id,
          if_seq_no: hit._seq_no,
          if_primary_term: hit._primary_term,
        },
      })),
      refresh: true,
    });
    const page = result.items.filter((item) => item.delete?.result === 'deleted').length;
    deleted += page;
    // A page that deleted nothing (every document changed meanwhile) ends it: next round.
    if (hits.length < PAGE || page === 0) return deleted;
  }
}

/**
 * Deletes alert history older than `before` (epoch ms): state changes, alerts that resolved
 * before it, incidents that resolved before it, incident timeline entries, deletion records
 * and marked deploys. These indices hold every day in one index each, so this deletes
 * documents, not indices; pending and firing alerts and open incidents are never touched (an
 * incident open longer than the retention keeps itself, not its oldest timeline entries, as an
 * alert keeps itself and not its oldest state changes). Resolves how many documents went.
 */
export async function deleteAlertHistoryBefore(client: Client, before: number): Promise<number> {
  const cutoff = new Date(before).toISOString();
  const olderThanCutoff = { range: { at: { lt: cutoff } } };
  const incidentResolvedBefore = {
    bool: { filter: [{ term: { status: 'resolved' } }, { range: { resolvedAt: { lt: cutoff } } }] },
  };
  const alertResolvedBefore = {
    bool: { filter: [{ term: { state: 'resolved' } }, { range: { endsAt: { lt: cutoff } } }] },
  };
  return (
    (await deleteMatching(client, indices.alertHistory.index, olderThanCutoff)) +
    (await deleteMatching(client, indices.alerts.index, alertResolvedBefore)) +
    (await deleteMatching(client, indices.incidentTimeline.index, olderThanCutoff)) +
    (await deleteMatching(client, indices.incidents.index, incidentResolvedBefore)) +
    (await deleteMatching(client, indices.storageDeletions.index, olderThanCutoff)) +
    (await deleteMatching(client, indices.deployments.index, olderThanCutoff))
  );
}
