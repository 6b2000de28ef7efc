import type { ServiceMap } from '../../contracts/api/service-map.ts';
import { ms, percent } from '../format.ts';
import { EDGE_LABEL, layOut, NODE } from './service-graph-layout.ts';
import type { MapRates } from './service-map-rates.ts';

const rate = (perSecond: number): string =>
  perSecond >= 100 ? perSecond.toFixed(0) : perSecond.toPrecision(2);
/** An error share worth a colour: the default error-rate rule's threshold. */
const BAD_ERROR_RATE = 0.05;

/**
 * The service map drawn: services as cards (RED figures, firing alerts) that open the service
 * page; calls as arrows whose labels (rate, error %, p95) open a trace search of the callee's
 * requests. Cards and labels are links (keyboard and middle-click work); only the arrows are SVG.
 */
export function ServiceGraph({
  map,
  rates,
  tracesOf,
}: {
  map: ServiceMap;
  /** Requests (calls) per second over the range, from the weighted counts the map holds. */
  rates: MapRates;
  /** The trace search that finds the traces through one call. */
  tracesOf: (edge: ServiceMap['edges'][number]) => string;
}) {
  const { width, height, nodes, edges } = layOut(map);
  return (
    <div class="service-graph" style={{ width: `${width}px`, height: `${height}px` }}>
      <svg width={width} height={height} aria-hidden="true">
        <defs>
          <marker
            id="map-arrow"
            viewBox="0 0 10 10"
            refX="10"
            refY="5"
            markerWidth="8"
            markerHeight="8"
            orient="auto-start-reverse"
          >
            <path d="M 0 0 L 10 5 L 0 10 z" />
          </marker>
        </defs>
        {edges.map(({ edge, points }) => (
          <polyline
            key={`${edge.caller}\n${edge.callee}`}
            class={(edge.errorRate ?? 0) > BAD_ERROR_RATE ? 'bad' : undefined}
            points={points.map((p) => `${p.x},${p.y}`).join(' ')}
            marker-end="url(#map-arrow)"
          />
        ))}
      </svg>
      {edges.map(({ edge, label }) => (
        <a
          key={`${edge.caller}\n${edge.callee}`}
          class="map-edge"
          data-caller={edge.caller}
          data-callee={edge.callee}
          href={tracesOf(edge)}
          title={`${edge.caller} → ${edge.callee}: its traces`}
          style={{
            left: `${label.x - EDGE_LABEL.width / 2}px`,
            top: `${label.y - EDGE_LABEL.height / 2}px`,
            width: `${EDGE_LABEL.width}px`,
          }}
        >
          <span data-field="rate">{rate(rates.edge(edge))}/s</span>{' '}
          <span data-field="errors" class={(edge.errorRate ?? 0) > BAD_ERROR_RATE ? 'bad' : ''}>
            {percent(edge.errorRate)} err
          </span>{' '}
          <span data-field="p95">p95 {ms(edge.p95Ms)}</span>
        </a>
      ))}
      {nodes.map(({ node, x, y }) => (
        <a
          key={node.service}
          class={`map-node ${node.firingAlerts > 0 ? 'alerting' : ''}`}
          data-service={node.service}
          href={`/services/${encodeURIComponent(node.service)}`}
          title={`${node.service}: open its page`}
          style={{
            left: `${x}px`,
            top: `${y}px`,
            width: `${NODE.width}px`,
            height: `${NODE.height}px`,
          }}
        >
          <strong>{node.service}</strong>
          <span class="muted">
            <span data-field="rate">{rate(rates.node(node))} req/s</span> ·{' '}
            <span data-field="errors" class={(node.errorRate ?? 0) > BAD_ERROR_RATE ? 'bad' : ''}>
              {percent(node.errorRate)} err
            </span>{' '}
            · <span data-field="p95">p95 {ms(node.p95Ms)}</span>
          </span>
          {node.firingAlerts > 0 ? (
            <span class="bad" data-field="alerts">
              {node.firingAlerts} firing {node.firingAlerts === 1 ? 'alert' : 'alerts'}
            </span>
          ) : null}
        </a>
      ))}
    </div>
  );
}
