import { get } from '../api.ts';
import { Problem } from '../components/problem.tsx';
import { RangePicker, rangeOf } from '../components/range-picker.tsx';
import { AlertRows } from './alerts.tsx';
import { RequestSparkline } from '../components/service-trend.tsx';
import { StorageWarning } from '../components/storage-warning.tsx';
import { count, ms, percent } from '../format.ts';
import { currentRate, rangeRate } from '../rates.ts';
import { useData } from '../use-data.ts';
import { useState } from 'preact/hooks';

const REFRESH_MS = 10_000;
const rate = (perSecond: number | null): string =>
  perSecond === null ? '–' : perSecond.toFixed(2);

/** Firing alerts on top, then every service's figures over the chosen range; refreshes itself. */
export function Overview({ query }: { query: URLSearchParams }) {
  const [paused, setPaused] = useState(false);
  const range = rangeOf(query);
  const refresh = paused ? undefined : REFRESH_MS;
  const key = `${range.name}:${range.to ?? ''}:${query.get('from') ?? ''}`;
  const services = useData(
    () =>
      get('/api/v1/services', {
        from: rangeOf(query).from,
        to: range.to,
      }),
    key,
    refresh,
  );
  // Every service's sparkline from one query.
  const trends = useData(
    () =>
      get('/api/v1/analysis/request-rate', {
        from: rangeOf(query).from,
        to: range.to,
      }),
    key,
    refresh,
  );
  const trendOf = new Map((trends.data?.services ?? []).map((t) => [t.service, t.buckets]));
  const alerts = useData(() => get('/api/v1/alerts', { state: 'firing' }), 'firing', refresh);
  const health = useData(() => get('/api/v1/health'), 'health', refresh);
  // The disk budget changes slowly: once a minute is enough.
  const storage = useData(() => get('/api/v1/storage'), 'storage', paused ? undefined : 60_000);
  const now = Date.now();
  const bounds = { from: Date.parse(range.from), to: range.to ? Date.parse(range.to) : now };
  return (
    <section>
      <header class="page-header">
        <h1>Overview</h1>
        <RangePicker query={query} />
        <button
          type="button"
          aria-pressed={paused}
          onClick={() => {
            setPaused(!paused);
          }}
        >
          {paused ? 'Resume refresh' : 'Pause refresh'}
        </button>
      </header>
      <Problem error={services.error ?? health.error} />
      <StorageWarning budget={storage.data?.budget} />
      <ul class="health" aria-label="health">
        {(health.data?.components ?? []).map((c) => (
          <li key={c.name} data-component={c.name} data-state={c.state} title={c.detail}>
            <span class={`dot ${c.state}`} /> {c.name} <span class="muted">{c.state}</span>
          </li>
        ))}
      </ul>
      <h2>Firing alerts</h2>
      {alerts.data && alerts.data.alerts.length === 0 ? (
        <p class="muted">Nothing is firing.</p>
      ) : (
        <AlertRows alerts={alerts.data?.alerts ?? []} />
      )}
      <h2>Services</h2>
      <table class="grid" aria-label="services">
        <thead>
          <tr>
            <th>service</th>
            <th class="num" title="over the last five minutes">
              req/s now
            </th>
            <th class="num" title="over the range, from the service's first request in it">
              req/s in range
            </th>
            <th>trend</th>
            <th class="num">errors</th>
            <th class="num">p50</th>
            <th class="num">p95</th>
            <th class="num">p99</th>
            <th class="num">error logs</th>
          </tr>
        </thead>
        <tbody>
          {(services.data?.services ?? []).map((s) => (
            <tr key={s.service} data-service={s.service}>
              <td>
                <a href={`/services/${encodeURIComponent(s.service)}`}>{s.service}</a>
              </td>
              <td class="num" data-field="rate-now">
                {trends.data
                  ? rate(currentRate(trendOf.get(s.service) ?? [], trends.data.intervalMs, now))
                  : ''}
              </td>
              <td class="num" data-field="rate">
                {trends.data
                  ? rate(rangeRate(s.requests.count, trendOf.get(s.service) ?? [], bounds))
                  : ''}
              </td>
              <td class="trend">
                {trends.data ? (
                  <RequestSparkline
                    service={s.service}
                    buckets={trendOf.get(s.service) ?? []}
                    intervalMs={trends.data.intervalMs}
                    from={range.from}
                  />
                ) : null}
              </td>
              <td class={`num ${(s.requests.errorRate ?? 0) > 0.05 ? 'bad' : ''}`}>
                {percent(s.requests.errorRate)}
              </td>
              <td class="num">{ms(s.requests.latencyMs.p50)}</td>
              <td class="num">{ms(s.requests.latencyMs.p95)}</td>
              <td class="num">{ms(s.requests.latencyMs.p99)}</td>
              <td class="num">{count(s.logs.errors)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {services.loading ? <p class="muted">Loading…</p> : null}
    </section>
  );
}
