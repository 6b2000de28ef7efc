import { useRef, useState } from 'preact/hooks';
import { ms } from '../format.ts';
import { navigate } from '../router.ts';
import type { TraceSummary } from '../../contracts/api/telemetry.ts';
import type { Deployment } from '../../contracts/api/deployments.ts';
import { deployTitle } from './deploy-markers.ts';

const WIDTH = 900;
const HEIGHT = 180;

/** A region brushed on the scatter: requests started from–to (epoch ms), lasting min–max ms. */
export interface BrushedRegion {
  readonly startFrom: number;
  readonly startTo: number;
  readonly minMs: number;
  readonly maxMs: number;
}

/** A drag shorter than this (in the drawing's units) is a click on a dot, not a brush. */
const MIN_BRUSH = 6;

/**
 * Duration against start time, one dot per trace, errors in red; durations on a log scale so a
 * slow outlier does not flatten the rest. Dragging a rectangle over it brushes a region
 * (`onBrush`). Hand-written SVG: a few hundred dots and a rectangle need no library. `deploys`
 * (of the one service searched) that fall among the dots are vertical lines, as on the charts;
 * the axis is not widened for others, since a search's dots may span minutes of a long range.
 */
export function Scatter({
  traces,
  onBrush,
  brushed,
  deploys = [],
}: {
  traces: readonly TraceSummary[];
  onBrush?: ((region: BrushedRegion) => void) | undefined;
  /** The region brushed last, drawn until it is cleared. */
  brushed?: BrushedRegion | undefined;
  deploys?: readonly Deployment[] | undefined;
}) {
  const svg = useRef<SVGSVGElement>(null);
  const [drag, setDrag] = useState<{ x0: number; y0: number; x1: number; y1: number }>();
  if (traces.length === 0) return null;
  const times = traces.map((t) => Date.parse(t.startedAt));
  const logs = traces.map((t) => Math.log10(Math.max(t.durationMs, 0.01)));
  const [t0, t1] = [Math.min(...times), Math.max(...times)];
  const [d0, d1] = [Math.min(...logs), Math.max(...logs)];
  const x = (t: number) => 10 + ((t - t0) / Math.max(1, t1 - t0)) * (WIDTH - 20);
  const y = (d: number) => HEIGHT - 15 - ((d - d0) / Math.max(0.001, d1 - d0)) * (HEIGHT - 30);
  // The inverse of x and y: a point of the drawing back to a start time and a duration.
  const timeAt = (px: number) => t0 + ((px - 10) / (WIDTH - 20)) * Math.max(1, t1 - t0);
  const msAt = (py: number) =>
    10 ** (d0 + ((HEIGHT - 15 - py) / (HEIGHT - 30)) * Math.max(0.001, d1 - d0));
  const point = (event: MouseEvent) => {
    const box = svg.current?.getBoundingClientRect();
    if (!box || box.width === 0) return { x: 0, y: 0 };
    return {
      x: ((event.clientX - box.left) / box.width) * WIDTH,
      y: ((event.clientY - box.top) / box.height) * HEIGHT,
    };
  };
  const finish = () => {
    if (!drag || !onBrush) return;
    setDrag(undefined);
    const [left, right] = [Math.min(drag.x0, drag.x1), Math.max(drag.x0, drag.x1)];
    const [top, bottom] = [Math.min(drag.y0, drag.y1), Math.max(drag.y0, drag.y1)];
    if (right - left < MIN_BRUSH && bottom - top < MIN_BRUSH) return;
    onBrush({
      startFrom: Math.floor(timeAt(left)),
      startTo: Math.ceil(timeAt(right)),
      minMs: Number(msAt(bottom).toPrecision(3)),
      maxMs: Number(msAt(top).toPrecision(3)),
    });
  };
  return (
    <svg
      ref={svg}
      class="scatter"
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      role="img"
      aria-label="trace durations over time"
      onMouseDown={(event) => {
        if (!onBrush) return;
        const { x, y: py } = point(event);
        setDrag({ x0: x, y0: py, x1: x, y1: py });
      }}
      onMouseMove={(event) => {
        if (!drag) return;
        const { x, y: py } = point(event);
        setDrag({ ...drag, x1: x, y1: py });
      }}
      onMouseUp={finish}
      onMouseLeave={finish}
    >
      {brushed && !drag ? (
        <rect
          class="brush"
          x={x(brushed.startFrom)}
          y={y(Math.log10(brushed.maxMs))}
          width={Math.max(1, x(brushed.startTo) - x(brushed.startFrom))}
          height={Math.max(1, y(Math.log10(brushed.minMs)) - y(Math.log10(brushed.maxMs)))}
        />
      ) : null}
      {drag ? (
        <rect
          class="brush"
          x={Math.min(drag.x0, drag.x1)}
          y={Math.min(drag.y0, drag.y1)}
          width={Math.abs(drag.x1 - drag.x0)}
          height={Math.abs(drag.y1 - drag.y0)}
        />
      ) : null}
      {deploys.map((d) => {
        const at = Date.parse(d.at);
        if (at < t0 || at > t1) return null;
        return (
          <g
            key={`${d.source}:${d.version}:${d.at}`}
            class={`deploy-marker ${d.source}`}
            data-version={d.version}
            data-source={d.source}
          >
            <title>{deployTitle(d)}</title>
            <line x1={x(at)} x2={x(at)} y1={0} y2={HEIGHT} />
            <text x={x(at) + 3} y={10}>
              {d.version}
            </text>
          </g>
        );
      })}
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
