import { get } from '../api.ts';
import { Problem } from '../components/problem.tsx';
import { RangePicker, rangeOf } from '../components/range-picker.tsx';
import { ServiceGraph } from '../components/service-graph.tsx';
import { mapRates } from '../components/service-map-rates.ts';
import { useData } from '../use-data.ts';

/**
 * Which service calls which over the chosen range (`GET /api/v1/service-map`): a node opens its
 * service page, a call lists its traces.
 */
export function ServiceMap({ query }: { query: URLSearchParams }) {
  const range = rangeOf(query);
  const key = `${range.name}:${range.to ?? ''}:${query.get('from') ?? ''}`;
  const map = useData(() => get('/api/v1/service-map', { from: range.from, to: range.to }), key);
  // Each service's buckets: the map's rates count from its first request in the range, as the
  // overview's do.
  const trends = useData(
    () => get('/api/v1/analysis/request-rate', { from: range.from, to: range.to }),
    key,
  );
  const bounds = { from: Date.parse(range.from), to: range.to ? Date.parse(range.to) : Date.now() };
  // The trace search keeps the map's range: a preset by name, a custom one by its bounds.
  const tracesOf = (edge: { callee: string }): string => {
    const next = new URLSearchParams({ service: edge.callee });
    if (range.name === 'custom') {
      next.set('from', range.from);
      if (range.to) next.set('to', range.to);
    } else next.set('range', range.name);
    return `/traces?${next.toString()}`;
  };
  return (
    <section>
      <header class="page-header">
        <h1>Service map</h1>
        <RangePicker query={query} />
      </header>
      <Problem error={map.error ?? trends.error} />
      {map.data && map.data.nodes.length === 0 ? (
        <p class="muted">No service sent spans in this range.</p>
      ) : null}
      {map.data && map.data.nodes.length > 0 && trends.data ? (
        <>
          <p class="muted">
            Requests/s (from a service&rsquo;s first request in the range, as on the overview),
            error % and p95 are weighted by each span&rsquo;s sampling weight. Click a service to
            open its page, or a call&rsquo;s figures on its arrow to list its traces.
          </p>
          <ServiceGraph
            map={map.data}
            rates={mapRates(trends.data.services, bounds)}
            tracesOf={tracesOf}
          />
        </>
      ) : null}
      {map.loading || trends.loading ? <p class="muted">Loading…</p> : null}
    </section>
  );
}
