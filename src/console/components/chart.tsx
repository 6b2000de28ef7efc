import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import type { Deployment } from '../../contracts/api/deployments.ts';
import { deployMarkers } from './deploy-markers.ts';

export interface Series {
  readonly label: string;
  readonly values: readonly (number | null)[];
  readonly colour: string;
}

/**
 * A time chart (uPlot): `times` in epoch ms, one line per series. `height` 40 with no axes makes
 * a sparkline. Redrawn when the data changes; sized to its container. `deploys` (of the
 * service the chart is about) are drawn as vertical markers.
 */
export function Chart(props: {
  times: readonly number[];
  series: readonly Series[];
  height?: number;
  sparkline?: boolean;
  format?: (value: number) => string;
  label?: string;
  deploys?: readonly Deployment[] | undefined;
}) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = box.current;
    if (!element || props.times.length === 0) return undefined;
    const sparkline = props.sparkline === true;
    const format = props.format ?? ((value: number) => String(value));
    const plot = new uPlot(
      {
        width: sparkline ? 130 : Math.max(120, element.clientWidth),
        height: props.height ?? 160,
        legend: { show: false },
        plugins: props.deploys ? [deployMarkers(props.deploys)] : [],
        cursor: { show: !sparkline },
        axes: sparkline
          ? [{ show: false }, { show: false }]
          : [
              { stroke: 'currentColor', grid: { stroke: 'rgba(128,128,128,0.15)' } },
              {
                stroke: 'currentColor',
                grid: { stroke: 'rgba(128,128,128,0.15)' },
                values: (_u, ticks) => ticks.map(format),
                size: 60,
              },
            ],
        scales: {
          x: { time: true },
          // From zero, a tenth above the top; all-zero data gets 0–1, not uPlot's 0–100, which a
          // rate drawn as a percentage would show as 10000%. A sparkline has no axis: its zero
          // sits a little above the bottom edge, so a quiet stretch shows as a line, not nothing.
          y: {
            range: (_u, _min, max): uPlot.Range.MinMax => {
              const top = max > 0 ? max * 1.1 : 1;
              return [sparkline ? -top * 0.08 : 0, top];
            },
          },
        },
        series: [
          {},
          ...props.series.map((s) => ({
            label: s.label,
            stroke: s.colour,
            width: sparkline ? 1.5 : 2,
            points: { show: false },
            value: (_u: uPlot, value: number | null) => (value === null ? '–' : format(value)),
          })),
        ],
      },
      [props.times.map((t) => t / 1000), ...props.series.map((s) => [...s.values])],
      element,
    );
    return () => {
      plot.destroy();
    };
  }, [props.times, props.series, props.deploys]);
  return (
    <div
      ref={box}
      class={props.sparkline ? 'sparkline' : 'chart'}
      // How many points of the first series are above zero: what a test waits for.
      data-nonzero={(props.series[0]?.values ?? []).filter((v) => v !== null && v > 0).length}
      role="img"
      aria-label={props.label}
    />
  );
}
