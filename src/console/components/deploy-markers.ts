import type uPlot from 'uplot';
import type { Deployment } from '../../contracts/api/deployments.ts';
import { dateTime } from '../format.ts';

/** What a deploy marker says when pointed at: the version, when, and where it is known from. */
export function deployTitle(deploy: Deployment): string {
  const from = deploy.previousVersion ? ` (was ${deploy.previousVersion})` : '';
  const source =
    deploy.source === 'detected'
      ? 'detected from its spans'
      : `marked${deploy.by ? ` by ${deploy.by}` : ''}`;
  return `deploy of ${deploy.version}${from} at ${dateTime(deploy.at)}, ${source}`;
}

/**
 * A uPlot plugin that draws each deploy as a vertical line across the plot, labelled with its
 * version: solid when detected from the spans, dashed when marked by a pipeline. The lines are
 * elements in the plot's overlay (not canvas strokes) so they carry the tooltip and can be read
 * by a test; they are placed again on every draw, so zooming moves them with the data.
 *
 * A deploy later than the last complete bucket (or earlier than the first) still belongs on the
 * chart: the x axis is widened once to take it in rather than the marker being dropped.
 */
export function deployMarkers(deploys: readonly Deployment[]): uPlot.Plugin {
  const at = deploys.map((d) => Date.parse(d.at) / 1000);
  return {
    hooks: {
      ready: [
        (plot) => {
          const { min, max } = plot.scales.x ?? {};
          if (at.length === 0 || min === undefined || max === undefined) return;
          const wider = { min: Math.min(min, ...at), max: Math.max(max, ...at) };
          if (wider.min < min || wider.max > max) plot.setScale('x', wider);
        },
      ],
      draw: [
        (plot) => {
          for (const old of plot.over.querySelectorAll('.deploy-marker')) old.remove();
          const width = plot.over.clientWidth;
          deploys.forEach((deploy, i) => {
            const left = plot.valToPos(at[i] ?? 0, 'x');
            if (!(left >= 0 && left <= width)) return; // zoomed out of view
            // Near the right edge the label goes to the left of its line, inside the plot.
            plot.over.append(marker(deploy, left, left > width * 0.85));
          });
        },
      ],
    },
  };
}

function marker(deploy: Deployment, left: number, flip: boolean): HTMLElement {
  const line = document.createElement('div');
  line.className = `deploy-marker ${deploy.source}${flip ? ' flip' : ''}`;
  line.style.left = `${left.toFixed(1)}px`;
  line.title = deployTitle(deploy);
  line.dataset.version = deploy.version;
  line.dataset.source = deploy.source;
  line.dataset.at = deploy.at;
  const label = document.createElement('span');
  label.textContent = deploy.version;
  line.append(label);
  return line;
}
