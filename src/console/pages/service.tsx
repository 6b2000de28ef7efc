import { get } from '../api.ts';
import { Problem } from '../components/problem.tsx';
import { RangePicker, rangeOf } from '../components/range-picker.tsx';
import { count, dateTime, ms, percent } from '../format.ts';
import { useData } from '../use-data.ts';
import { AlertRows } from './alerts.tsx';
import { Chart } from '../components/chart.tsx';
import { SloTable } from '../components/slo-table.tsx';
import { completeBuckets } from '../components/service-trend.tsx';
import { currentRate, rangeRate } from '../rates.ts';
import { ServiceDifferences } from '../components/service-differences.tsx';
import { DeployList } from '../components/deploy-list.tsx';
import { DeployComparison } from '../components/deploy-comparison.tsx';
import type { Deployment } from '../../contracts/api/deployments.ts';

/** One figure of a service over time, as a titled chart with the service's deploys on it. */
function Trend<B extends { start: string }>(props: {
  title: string;
  colour: string;
  buckets: readonly B[];
  value: (bucket: B) => number | null;
  format: (value: number) => string;
  deploys: readonly Deployment[] | undefined;
}) {
  if (props.buckets.length === 0) return null;
  return (
    <figure>
      <figcaption>{props.title}</figcaption>
      <Chart
        label={props.title}
        times={props.buckets.map((b) => Date.parse(b.start))}
        series={[
          { label: props.title, colour: props.colour, values: props.buckets.map(props.value) },
        ]}
        format={props.format}
        deploys={props.deploys}
      />
    </figure>
  );
}

/** The request rate now (the last five minutes) beside the range's, from its first request. */
function Rates(props: {
  buckets: readonly { start: string; requests: number }[];
  intervalMs: number;
  range: { from: string; to: string | undefined };
}) {
  const now = Date.now();
  const total = props.buckets.reduce((sum, b) => sum + b.requests, 0);
  const bounds = {
    from: Date.parse(props.range.from),
    to: props.range.to ? Date.parse(props.range.to) : now,
  };
  const shown = (perSecond: number | null) => (perSecond === null ? '–' : perSecond.toFixed(2));
  return (
    <p class="muted" data-field="rates">
      <strong data-field="rate-now">
        {shown(currentRate(props.buckets, props.intervalMs, now))}
      </strong>{' '}
      requests/s now (last five minutes) ·{' '}
      <span data-field="rate">{shown(rangeRate(total, props.buckets, bounds))}</span> requests/s
      over the range, from its first request
    </p>
  );
}

/**
 * One service: its figures over time with its deploys marked, its deploys, its routes, its top
 * error patterns with an example trace, its alerts. The deploys are read once for the page's
 * range and shared by every chart and the list.
 */
export function Service({ service, query }: { service: string; query: URLSearchParams }) {
  const range = rangeOf(query);
  const window = { from: range.from, to: range.to, service };
  // `?deploy=<version>` opens that deploy's comparison (the faulty-deployment alert links
  // there); opening or closing one reloads nothing else.
  const opened = query.get('deploy');
  const withDeploy = (version: string | null): string => {
    const next = new URLSearchParams(query);
    if (version === null) next.delete('deploy');
    else next.set('deploy', version);
    return `/services/${encodeURIComponent(service)}?${next.toString()}`;
  };
  const rest = new URLSearchParams(query);
  rest.delete('deploy');
  const key = `${service}:${rest.toString()}`;
  const latency = useData(() => get('/api/v1/analysis/latency', window), key);
  const errors = useData(() => get('/api/v1/analysis/error-rate', window), key);
  const alerts = useData(() => get('/api/v1/alerts', { service, state: 'all', limit: '20' }), key);
  const deploys = useData(() => get('/api/v1/deployments', window), key);
  const deployments = deploys.data?.deployments;
  const from = Date.parse(range.from);
  const rateBuckets = errors.data
    ? completeBuckets(errors.data.buckets, errors.data.intervalMs, from)
    : [];
  const latencyBuckets = latency.data
    ? completeBuckets(latency.data.buckets, latency.data.intervalMs, from)
    : [];
  return (
    <section>
      <header class="page-header">
        <h1>{service}</h1>
        <RangePicker query={query} />
        <a href={`/traces?service=${encodeURIComponent(service)}&errors=true`}>error traces</a>
        <a href={`/logs?service=${encodeURIComponent(service)}&severity=error`}>error logs</a>
      </header>
      <Problem error={latency.error ?? errors.error} />
      {errors.data ? (
        <Rates buckets={errors.data.buckets} intervalMs={errors.data.intervalMs} range={range} />
      ) : null}
      <div class="charts">
        <Trend
          title="requests/s"
          colour="#b35c00"
          buckets={rateBuckets}
          value={(b) => b.requests / ((errors.data?.intervalMs ?? 1000) / 1000)}
          format={(v) => v.toFixed(1)}
          deploys={deployments}
        />
        <Trend
          title="error rate"
          colour="#c62828"
          buckets={rateBuckets}
          value={(b) => b.errorRate}
          format={percent}
          deploys={deployments}
        />
        <Trend
          title="p95 latency"
          colour="#2e7d32"
          buckets={latencyBuckets}
          value={(b) => b.latencyMs.p95}
          format={ms}
          deploys={deployments}
        />
      </div>
      <Problem error={deploys.error} />
      {deploys.data && (
        <DeployList
          deployments={deploys.data.deployments}
          detection={deploys.data.detection}
          opened={opened}
          open={withDeploy}
        />
      )}
      {opened !== null && (
        <DeployComparison service={service} version={opened} closeHref={withDeploy(null)} />
      )}
      <ServiceDifferences
        service={service}
        from={range.from}
        to={range.to}
        pageKey={key}
        slowMs={
          Math.max(0, ...(latency.data?.routes ?? []).map((r) => r.latencyMs.p95 ?? 0)) || null
        }
      />
      <h2>Routes</h2>
      <table class="grid" aria-label="routes">
        <thead>
          <tr>
            <th>route</th>
            <th class="num">requests</th>
            <th class="num">errors</th>
            <th class="num">p50</th>
            <th class="num">p95</th>
            <th class="num">p99</th>
          </tr>
        </thead>
        <tbody>
          {(latency.data?.routes ?? []).map((r) => (
            <tr key={r.route}>
              <td>
                <a
                  href={`/traces?service=${encodeURIComponent(service)}&operation=${encodeURIComponent(r.route)}`}
                >
                  {r.route}
                </a>
              </td>
              <td class="num">{count(r.requests)}</td>
              <td class="num">{percent(r.errorRate)}</td>
              <td class="num">{ms(r.latencyMs.p50)}</td>
              <td class="num">{ms(r.latencyMs.p95)}</td>
              <td class="num">{ms(r.latencyMs.p99)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h2>Top error patterns</h2>
      <table class="grid" aria-label="error patterns">
        <tbody>
          {(errors.data?.topErrors ?? []).map((e) => (
            <tr key={e.pattern}>
              <td class="num">{count(e.count)}</td>
              <td>{e.pattern}</td>
              <td class="muted">
                {e.firstSeenInRange
                  ? `first seen ${dateTime(new Date(e.firstSeen).toISOString())}`
                  : null}
              </td>
              <td>
                {e.exampleTraceId ? (
                  <a class="mono trace-link" href={`/traces/${e.exampleTraceId}`}>
                    example
                  </a>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <SloTable service={service} />
      <h2>Alerts</h2>
      <Problem error={alerts.error} />
      {alerts.data?.alerts.length === 0 && <p class="muted">No alerts for this service yet.</p>}
      <AlertRows alerts={alerts.data?.alerts ?? []} />
    </section>
  );
}
