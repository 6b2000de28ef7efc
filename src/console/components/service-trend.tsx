import { Chart } from './chart.tsx';

/**
 * Buckets that are over: the last one is usually still filling (and the first may have begun
 * before the range), so a rate drawn from them would dip at the edges.
 */
export function completeBuckets<B extends { start: string }>(
  buckets: readonly B[],
  intervalMs: number,
  from: number,
): B[] {
  const now = Date.now();
  return buckets.filter((b) => {
    const start = Date.parse(b.start);
    return start >= from && start + intervalMs <= now;
  });
}

/** Every service's requests per bucket: GET /api/v1/analysis/request-rate. */
/** A service's request rate over the range, as a sparkline in the overview's row. */
export function RequestSparkline(props: {
  service: string;
  buckets: readonly { start: string; requests: number }[];
  intervalMs: number;
  from: string;
}) {
  const seconds = props.intervalMs / 1000;
  const buckets = completeBuckets(props.buckets, props.intervalMs, Date.parse(props.from));
  return (
    <Chart
      sparkline
      height={28}
      label={`${props.service} requests per second`}
      times={buckets.map((b) => Date.parse(b.start))}
      series={[
        {
          label: 'req/s',
          colour: '#b35c00',
          values: buckets.map((b) => b.requests / seconds),
        },
      ]}
    />
  );
}
