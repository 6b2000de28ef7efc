import { get } from '../api.ts';
import { ms, multiple, percent } from '../format.ts';
import type { Alert, RuleSummary } from '../../contracts/api/alerts.ts';
import { useData } from '../use-data.ts';
import { Chart } from './chart.tsx';

/**
 * Buckets that start inside the range. Unlike a rate drawn from counts, a ratio or a percentile
 * does not dip in the bucket still filling, and for a firing alert that bucket is the one that
 * matters: it is kept.
 */
const startingFrom = <B extends { start: string }>(buckets: readonly B[], from: number): B[] =>
  buckets.filter((b) => Date.parse(b.start) >= from);

/**
 * The alert's figure over its episode (from a window before it started until it ended or now),
 * against the threshold, per time bucket: the error rate (of requests or of log records), the
 * rule's latency percentile, or an availability SLO's burn rate. A latency SLO's slow share has
 * no series yet, so its burn alerts draw none. The alert's service's deploys in the episode are
 * marked on it.
 */
export function AlertTrend({ alert, rule }: { alert: Alert; rule: RuleSummary | undefined }) {
  // A burn alert's long window may be days: its short window shows the burn that fired it.
  const lookback = rule?.kind === 'slo_burn' ? (rule.short_window ?? 0) : (rule?.window ?? 0);
  const from = Date.parse(alert.startsAt) - Math.max(lookback, 15 * 60_000);
  const to = alert.endsAt ? Date.parse(alert.endsAt) + 5 * 60_000 : Date.now();
  const params = {
    service: alert.service ?? undefined,
    from: new Date(from).toISOString(),
    to: new Date(Math.min(to, Date.now())).toISOString(),
  };
  const kind = rule?.kind;
  const slo = rule?.slo;
  const service = alert.service;
  // The service's deploys over the same episode, marked on the chart: read beside the figure.
  const deploys = useData(
    async () =>
      service ? (await get('/api/v1/deployments', { ...params, service })).deployments : [],
    `${alert.id}:${alert.endsAt ?? ''}`,
    alert.endsAt ? undefined : 10_000,
  );
  const series = useData(
    async () => {
      if (kind === 'slo_burn' && slo?.kind === 'availability') {
        // The burn rate per bucket: the failed share over the budget.
        const rate = await get('/api/v1/analysis/error-rate', params);
        return startingFrom(rate.buckets, from).map((b) => ({
          at: Date.parse(b.start),
          value: b.errorRate === null ? null : b.errorRate / (1 - slo.objective),
        }));
      }
      if (kind === 'error_rate') {
        const rate = await get('/api/v1/analysis/error-rate', params);
        const overLogs = rule?.over === 'logs';
        return startingFrom(rate.buckets, from).map((b) => ({
          at: Date.parse(b.start),
          value: overLogs ? b.logErrorRate : b.errorRate,
        }));
      }
      if (kind === 'latency_percentile') {
        const latency = await get('/api/v1/analysis/latency', params);
        const key =
          `p${String(rule?.percentile ?? 95)}` as keyof (typeof latency.buckets)[number]['latencyMs'];
        return startingFrom(latency.buckets, from).map((b) => ({
          at: Date.parse(b.start),
          value: b.latencyMs[key] ?? null,
        }));
      }
      return [];
    },
    `${alert.id}:${kind ?? ''}:${alert.endsAt ?? ''}`,
    alert.endsAt ? undefined : 10_000, // an open episode keeps growing
  );
  const points = series.data ?? [];
  if (points.length === 0) return null;
  return (
    <figure class="alert-trend" data-values={points.filter((p) => p.value !== null).length}>
      <figcaption>
        {kind === 'slo_burn'
          ? 'burn rate of the error budget'
          : kind === 'error_rate'
            ? rule?.over === 'logs'
              ? 'share of error log records'
              : 'error rate'
            : `p${String(rule?.percentile ?? 95)} latency`}{' '}
        against the threshold
      </figcaption>
      <Chart
        label="value against threshold"
        times={points.map((p) => p.at)}
        series={[
          { label: 'value', colour: '#b35c00', values: points.map((p) => p.value) },
          { label: 'threshold', colour: '#c62828', values: points.map(() => alert.threshold) },
        ]}
        format={kind === 'error_rate' ? percent : kind === 'slo_burn' ? multiple : ms}
        deploys={deploys.data}
      />
    </figure>
  );
}
