import { endpoints, loadStackSettings } from '../../tools/stack/settings.ts';
import { indices } from '../../src/contracts/indices.ts';
import { fields } from '../../src/contracts/fields.ts';

/**
 * What a developer sees in the default stack (`npm start`): its indices with their document
 * counts, the services in its logs and spans, and its alerts. Taken before and after the test
 * run, to show that the tests never wrote to it.
 */
export interface UserStackSnapshot {
  readonly documents: Readonly<Record<string, number>>;
  readonly services: readonly string[];
  readonly alertIds: readonly string[];
}

const es = endpoints(loadStackSettings({})).elasticsearch;

async function search(index: string, body: object): Promise<Record<string, unknown>> {
  const response = await fetch(
    `${es}/${index}/_search?ignore_unavailable=true&allow_no_indices=true`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    },
  );
  return (await response.json()) as Record<string, unknown>;
}

/** The default stack's Elasticsearch as it is now; undefined when it does not answer openly. */
export async function snapshotUserStack(): Promise<UserStackSnapshot | undefined> {
  let response: Response;
  try {
    await fetch(`${es}/_refresh`, { method: 'POST' });
    response = await fetch(`${es}/_cat/indices/lantern-*?format=json&h=index,docs.count`);
  } catch {
    return undefined; // not running
  }
  if (!response.ok) return undefined; // secured: it has its own credentials, and no test has them
  const rows = (await response.json()) as { index: string; 'docs.count': string }[];
  const services = await search(`${indices.logs.pattern},${indices.spans.pattern}`, {
    size: 0,
    aggs: { services: { terms: { field: fields.serviceName, size: 10_000 } } },
  });
  const alerts = await search(indices.alerts.index, { size: 10_000, _source: false });
  const buckets =
    (services.aggregations as { services?: { buckets?: { key: string }[] } } | undefined)?.services
      ?.buckets ?? [];
  const hits = (alerts.hits as { hits?: { _id: string }[] } | undefined)?.hits ?? [];
  return {
    documents: Object.fromEntries(rows.map((row) => [row.index, Number(row['docs.count'])])),
    services: buckets.map((bucket) => bucket.key).sort(),
    alertIds: hits.map((hit) => hit._id).sort(),
  };
}

/**
 * What the test run changed in the default stack. A new service is always a leak (the tests
 * name their own services). When `npm start` runs beside the tests its traffic adds documents,
 * a daily index and alerts of its own, so those count only when the stack was `idle`.
 */
export function userStackChanges(
  before: UserStackSnapshot,
  after: UserStackSnapshot,
  idle: boolean,
): string[] {
  const changes: string[] = [];
  const added = (now: readonly string[], then: readonly string[]) =>
    now.filter((item) => !then.includes(item));
  for (const service of added(after.services, before.services)) {
    changes.push(`service ${service} appeared`);
  }
  for (const id of added(after.alertIds, before.alertIds)) {
    if (idle) changes.push(`alert ${id} appeared`);
  }
  for (const index of added(Object.keys(after.documents), Object.keys(before.documents))) {
    if (idle) changes.push(`index ${index} appeared`);
  }
  for (const [index, count] of Object.entries(before.documents)) {
    const now = after.documents[index];
    if (now === undefined) changes.push(`index ${index} disappeared`);
    else if (idle && now !== count) changes.push(`${index}: ${count} → ${now} documents`);
  }
  return changes;
}
