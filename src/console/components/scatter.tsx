import { ms } from '../format.ts';
import { navigate } from '../router.ts';
import type { TraceSummary } from '../../contracts/api/telemetry.ts';

const WIDTH = 900;
const HEIGHT = 180;

/**
 * Duration against start time, one dot per trace, errors in red; durations on a log scale so a
 * slow outlier does not flatten the rest. Hand-written SVG: a few hundred dots need no library.
 */
export function Scatter({ traces }: { traces: readonly TraceSummary[] }) {
  if (traces.length === 0) return null;
  const times = traces.map((t) => Date.parse(t.startedAt));
  const logs = traces.map((t) => Math.log10(Math.max(t.durationMs, 0.01)));
  const [t0, t1] = [Math.min(...times), Math.max(...times)];
  const [d0, d1] = [Math.min(...logs), Math.max(...logs)];
  const x = (t: number) => 10 + ((t - t0) / Math.max(1, t1 - t0)) * (WIDTH - 20);
  const y = (d: number) => HEIGHT - 15 - ((d - d0) / Math.max(0.001, d1 - d0)) * (HEIGHT - 30);
  return (
    <svg
      class="scatter"
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      role="img"
      aria-label="trace durations over time"
    >
      <text x="4" y="12" class="axis">
        {ms(10 ** d1)}
      </text>
      <text x="4" y={HEIGHT - 2} class="axis">
        {ms(10 ** d0)}
      </text>
      {traces.map((t, i) => (
        <circle
          key={t.traceId}
          cx={x(times[i] ?? t0)}
          cy={y(logs[i] ?? d0)}
          r={4}
          class={t.failed ? 'dot-failed' : 'dot-ok'}
          onClick={() => {
            navigate(`/traces/${t.traceId}`);
          }}
        >
          <title>{`${t.name} ${ms(t.durationMs)}`}</title>
        </circle>
      ))}
    </svg>
  );
}
