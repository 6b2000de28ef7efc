import { get } from '../api.ts';
import { ListFilters } from '../components/list-filters.tsx';
import { Problem } from '../components/problem.tsx';
import { dateTime } from '../format.ts';
import type { Alert } from '../../contracts/api/alerts.ts';
import { useData } from '../use-data.ts';

/** A table of alerts, most severe and newest first (the API's order). */
export function AlertRows({ alerts }: { alerts: readonly Alert[] }) {
  if (alerts.length === 0) return null;
  return (
    <table class="grid" aria-label="alerts">
      <thead>
        <tr>
          <th>state</th>
          <th>severity</th>
          <th>summary</th>
          <th>since</th>
          <th>exemplars</th>
          <th>incident</th>
        </tr>
      </thead>
      <tbody>
        {alerts.map((alert) => (
          <tr key={alert.id} data-alert={alert.id}>
            <td>
              <span class={`state ${alert.state}`}>{alert.state}</span>
            </td>
            <td>
              <span class={`severity ${alert.severity}`}>{alert.severity}</span>
            </td>
            <td>
              <a href={`/alerts/${alert.id}`}>{alert.summary}</a>
            </td>
            <td>{dateTime(alert.startsAt)}</td>
            <td>
              {alert.exemplarTraceIds.slice(0, 3).map((traceId) => (
                <a class="trace-link mono" href={`/traces/${traceId}`} key={traceId}>
                  {traceId.slice(0, 8)}
                </a>
              ))}
            </td>
            <td>
              {alert.incidentId ? (
                <a class="incident-link" href={`/incidents/${alert.incidentId}`}>
                  incident
                </a>
              ) : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const STATES = ['firing', 'pending', 'resolved', 'all'] as const;
const SEVERITIES = ['', 'low', 'medium', 'high', 'critical'] as const;

/** Every alert, filtered by state, severity and service through the URL. */
export function Alerts({ query }: { query: URLSearchParams }) {
  const state = query.get('state') ?? 'firing';
  const severity = query.get('severity') ?? '';
  const service = query.get('service') ?? '';
  const alerts = useData(
    () => get('/api/v1/alerts', { state, severity, service }),
    `${state}:${severity}:${service}`,
    10_000,
  );
  return (
    <section>
      <header class="page-header">
        <h1>Alerts</h1>
      </header>
      <ListFilters
        query={query}
        filters={[
          { name: 'state', value: state, options: STATES },
          { name: 'severity', value: severity, options: SEVERITIES },
          { name: 'service', value: service },
        ]}
      />
      <Problem error={alerts.error} />
      {alerts.data?.alerts.length === 0 ? (
        <p class="muted">No {state === 'all' ? '' : state} alerts.</p>
      ) : null}
      <AlertRows alerts={alerts.data?.alerts ?? []} />
    </section>
  );
}
