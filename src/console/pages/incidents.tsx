import { get } from '../api.ts';
import { ListFilters } from '../components/list-filters.tsx';
import { Problem } from '../components/problem.tsx';
import { dateTime } from '../format.ts';
import type { Incident } from '../../contracts/api/incidents.ts';
import { useData } from '../use-data.ts';

const STATUSES = ['active', 'open', 'acknowledged', 'resolved', 'all'] as const;

/** A table of incidents, newest first (the API's order). */
export function IncidentRows({ incidents }: { incidents: readonly Incident[] }) {
  if (incidents.length === 0) return null;
  return (
    <table class="grid" aria-label="incidents">
      <thead>
        <tr>
          <th>status</th>
          <th>severity</th>
          <th>title</th>
          <th>likely origin</th>
          <th>started</th>
          <th>signals</th>
        </tr>
      </thead>
      <tbody>
        {incidents.map((incident) => (
          <tr key={incident.id} data-incident={incident.id}>
            <td>
              <span class={`status ${incident.status}`}>{incident.status}</span>
            </td>
            <td>
              <span class={`severity ${incident.severity}`}>{incident.severity}</span>
            </td>
            <td>
              <a href={`/incidents/${incident.id}`}>{incident.title}</a>
            </td>
            <td>
              {incident.origin ? (
                <a href={`/services/${encodeURIComponent(incident.origin)}`}>{incident.origin}</a>
              ) : (
                '–'
              )}
            </td>
            <td>{dateTime(incident.startedAt)}</td>
            <td>{incident.signals.length}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Every incident, filtered by status and service through the URL. */
export function Incidents({ query }: { query: URLSearchParams }) {
  const status = query.get('status') ?? 'active';
  const service = query.get('service') ?? '';
  const incidents = useData(
    () => get('/api/v1/incidents', { status, service }),
    `${status}:${service}`,
    10_000,
  );
  return (
    <section>
      <header class="page-header">
        <h1>Incidents</h1>
      </header>
      <ListFilters
        query={query}
        filters={[
          { name: 'status', value: status, options: STATUSES },
          { name: 'service', value: service },
        ]}
      />
      <Problem error={incidents.error} />
      {incidents.data?.incidents.length === 0 ? (
        <p class="muted">No {status === 'all' ? '' : status} incidents.</p>
      ) : null}
      <IncidentRows incidents={incidents.data?.incidents ?? []} />
    </section>
  );
}
