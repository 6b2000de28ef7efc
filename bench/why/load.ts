/**
 * The speed half's data: one service's request spans over 15 minutes, written straight into a
 * scratch index under Lantern's span template as the Collector's exporter writes them (flat
 * keys), with the attributes a real service has: routes, methods, status codes, hosts and
 * instances, two versions, customer tiers, sampling weights. A host fails more than the others
 * and a route has a slow share, so both selections hold something to find.
 */
import type { Client } from '@elastic/elasticsearch';
import { fields } from '../../src/contracts/fields.ts';

export const LOAD_SERVICE = 'bench-why-load';
export const LOAD_WINDOW_MS = 15 * 60_000;
const BULK_DOCS = 10_000;
/** Bulk requests in flight at once. */
const PARALLEL = 2;

const ROUTES = ['/home', '/search', '/cart', '/checkout', '/account', '/orders', '/login', '/help'];
const TIERS = ['bronze', 'bronze', 'bronze', 'silver', 'silver', 'gold'];

/** A fast deterministic hash of an index to [0, 1): the same data every run. */
function unit(i: number, salt: number): number {
  let x = Math.imul(i ^ (salt * 0x9e3779b9), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  x ^= x >>> 16;
  return (x >>> 0) / 2 ** 32;
}

/** The stored span document `i` of `total`, starting at `from`, as one line of JSON. */
function spanLine(i: number, total: number, from: number): string {
  const at = from + Math.floor((i / total) * LOAD_WINDOW_MS);
  const route = ROUTES[Math.floor(unit(i, 1) * ROUTES.length)] ?? '/home';
  const host = Math.floor(unit(i, 2) * 10);
  const instance = `host-${host}-${unit(i, 3) < 0.5 ? 'a' : 'b'}`;
  const failed = unit(i, 4) < (host === 7 ? 0.1 : 0.01);
  const slow = route === '/search' && unit(i, 5) < 0.05;
  // Log-normal-ish latency around 40 ms; slow ones 600–1,200 ms.
  const ms = slow ? 600 + 600 * unit(i, 6) : 40 * Math.exp(0.7 * (unit(i, 6) + unit(i, 7) - 1) * 2);
  const method = route === '/cart' || route === '/checkout' || route === '/login' ? 'POST' : 'GET';
  const doc = {
    [fields.timestamp]: new Date(at).toISOString(),
    [fields.span.endTimestamp]: new Date(at + ms).toISOString(),
    [fields.traceId]: i.toString(16).padStart(32, '0'),
    [fields.spanId]: i.toString(16).padStart(16, '0'),
    [fields.span.name]: `${method} ${route}`,
    [fields.span.kind]: 'SPAN_KIND_SERVER',
    [fields.span.status]: failed ? 2 : 0,
    [fields.span.duration]: Math.round(ms * 1000),
    [fields.serviceName]: LOAD_SERVICE,
    [fields.serviceVersion]: unit(i, 8) < 0.1 ? '3.2.0' : '3.1.0',
    'Resource.host.name': `host-${host}`,
    'Resource.service.instance.id': instance,
    'Resource.deployment.environment': 'production',
    [fields.span.httpRoute]: route,
    'Attributes.http.request.method': method,
    [fields.span.httpStatus]: failed ? 500 : 200,
    'Attributes.app.customer.tier': TIERS[Math.floor(unit(i, 9) * TIERS.length)] ?? 'bronze',
    // Errors and slow requests kept whole, the rest 1 in 10, as the Collector's defaults do.
    [fields.span.samplingWeight]: failed || slow ? 1 : 10,
  };
  return JSON.stringify(doc);
}

/**
 * Writes `total` span documents spread over the window from `from` into `index` (created from
 * Lantern's template, refreshed once at the end).
 */
export async function loadSpans(
  client: Client,
  index: string,
  total: number,
  from: number,
): Promise<void> {
  await client.indices.create({
    index,
    settings: { refresh_interval: '-1', number_of_replicas: 0 },
  });
  const action = '{"index":{}}';
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < total) {
      const start = next;
      const end = Math.min(total, start + BULK_DOCS);
      next = end;
      const lines: string[] = [];
      for (let i = start; i < end; i += 1) lines.push(action, spanLine(i, total, from));
      const result = await client.transport.request<{ errors: boolean; items: unknown[] }>({
        method: 'POST',
        path: `/${index}/_bulk`,
        bulkBody: `${lines.join('\n')}\n`,
      });
      if (result.errors)
        throw new Error(`bulk load into ${index} failed: ${JSON.stringify(result.items[0])}`);
      done += end - start;
      if (done % 1_000_000 < BULK_DOCS) console.log(`[bench] loaded ${done} spans`);
    }
  };
  await Promise.all(Array.from({ length: PARALLEL }, worker));
  await client.indices.putSettings({ index, settings: { refresh_interval: '1s' } });
  await client.indices.refresh({ index });
  // Merges after a bulk load take the CPU for minutes: queries timed meanwhile measure them.
  for (;;) {
    const stats = await client.indices.stats({ index, metric: 'merge' });
    if ((stats._all.primaries?.merges?.current ?? 0) === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 5000));
  }
}
