import { useState } from 'preact/hooks';
import { get, post } from '../api.ts';
import { ActionForm } from '../components/action-form.tsx';
import { Problem } from '../components/problem.tsx';
import { field } from '../form.ts';
import { dateTime } from '../format.ts';
import type { Incident, TimelineEntry } from '../../contracts/api/incidents.ts';
import type { RuleSummary } from '../../contracts/api/alerts.ts';
import { useData } from '../use-data.ts';
import { shownAs } from './alert.tsx';

/** How each kind of timeline entry is labelled. */
const KIND_LABELS: Record<TimelineEntry['kind'], string> = {
  'signal-fired': 'fired',
  'signal-resolved': 'signal resolved',
  'state-changed': 'changed',
  acknowledged: 'acknowledged',
  notified: 'notified',
  'notify-failed': 'failed to notify',
  silenced: 'silenced',
  resolved: 'resolved',
};

/**
 * One incident as a timeline: what fired (with values), what changed, who acknowledged, who was
 * notified (or could not be), silences and the resolve; its signals; acknowledge and resolve.
 */
export function IncidentDetail({ id }: { id: string }) {
  const [version, setVersion] = useState(0);
  const loaded = useData(
    () => get('/api/v1/incidents/{incidentId}', { incidentId: id }),
    `${id}:${String(version)}`,
    10_000,
  );
  const rules = useData(() => get('/api/v1/rules'), 'rules');
  const incident = loaded.data?.incident;
  const ruleNamed = (name: string) => rules.data?.rules.find((rule) => rule.name === name);
  return (
    <section>
      <Problem error={loaded.error} />
      {incident ? (
        <>
          <header class="page-header">
            <h1>{incident.title}</h1>
            <span class={`status ${incident.status}`}>{incident.status}</span>
            <span class={`severity ${incident.severity}`}>{incident.severity}</span>
          </header>
          <Facts incident={incident} />
          {incident.status !== 'resolved' ? (
            <>
              <h2>{incident.status === 'open' ? 'Acknowledge or resolve' : 'Resolve'}</h2>
              <Actions
                incident={incident}
                changed={() => {
                  setVersion(version + 1);
                }}
              />
            </>
          ) : null}
          <h2>Timeline</h2>
          <ol class="timeline incident-timeline" aria-label="timeline">
            {loaded.data.timeline.map((entry) => (
              <li key={`${entry.at}-${entry.kind}-${entry.text}`} data-kind={entry.kind}>
                <time>{dateTime(entry.at)}</time>{' '}
                <span class={`kind ${entry.kind}`}>{KIND_LABELS[entry.kind]}</span> {entry.text}
                {entry.details.alertId ? (
                  <>
                    {' '}
                    <a href={`/alerts/${entry.details.alertId}`}>alert</a>
                  </>
                ) : null}
              </li>
            ))}
          </ol>
          <h2>Signals</h2>
          <Signals incident={incident} ruleNamed={ruleNamed} />
        </>
      ) : loaded.loading ? (
        <p class="muted">Loading…</p>
      ) : null}
    </section>
  );
}

function Facts({ incident }: { incident: Incident }) {
  const ack = incident.acknowledgement;
  return (
    <dl class="facts">
      <dt>likely origin</dt>
      <dd>
        {incident.origin ? (
          <a href={`/services/${encodeURIComponent(incident.origin)}`}>{incident.origin}</a>
        ) : (
          '–'
        )}
      </dd>
      <dt>services</dt>
      <dd>{incident.services.join(', ') || '–'}</dd>
      <dt>started</dt>
      <dd>{dateTime(incident.startedAt)}</dd>
      {incident.resolvedAt ? (
        <>
          <dt>resolved</dt>
          <dd>{dateTime(incident.resolvedAt)}</dd>
        </>
      ) : null}
      {ack ? (
        <>
          <dt>acknowledged</dt>
          <dd>
            by <strong>{ack.by}</strong> at {dateTime(ack.at)}
            {ack.note ? `: ${ack.note}` : ''}
          </dd>
        </>
      ) : null}
    </dl>
  );
}

function Signals({
  incident,
  ruleNamed,
}: {
  incident: Incident;
  ruleNamed: (name: string) => RuleSummary | undefined;
}) {
  return (
    <table class="grid" aria-label="signals">
      <thead>
        <tr>
          <th>state</th>
          <th>severity</th>
          <th>signal</th>
          <th>service</th>
          <th>value / threshold</th>
          <th>onset</th>
        </tr>
      </thead>
      <tbody>
        {incident.signals.map((signal) => {
          const shown = shownAs(ruleNamed(signal.rule));
          return (
            <tr key={signal.alertId}>
              <td>
                <span class={`state ${signal.state}`}>{signal.state}</span>
              </td>
              <td>
                <span class={`severity ${signal.severity}`}>{signal.severity}</span>
              </td>
              <td>
                <a href={`/alerts/${signal.alertId}`}>{signal.summary}</a>
              </td>
              <td>{signal.service ?? 'all'}</td>
              <td>
                {shown(signal.value)} / {shown(signal.threshold)}
              </td>
              <td>{dateTime(signal.onset)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** Acknowledge (who, a note) or resolve by hand; the outcome shows beside the buttons. */
function Actions({ incident, changed }: { incident: Incident; changed: () => void }) {
  return (
    <ActionForm
      class="incident-actions"
      label="acknowledge or resolve"
      act={async (data, button) => {
        const body = { by: field(data, 'by'), note: field(data, 'note') };
        const path =
          button === 'resolve'
            ? ('/api/v1/incidents/{incidentId}/resolve' as const)
            : ('/api/v1/incidents/{incidentId}/acknowledge' as const);
        const after = await post(path, body, { incidentId: incident.id });
        changed();
        return `Incident ${after.status}.`;
      }}
    >
      <label>
        who <input name="by" required placeholder="your name" size={16} />
      </label>
      <label>
        note <input name="note" placeholder="what you are doing about it" size={36} />
      </label>
      {incident.status === 'open' ? (
        <button type="submit" value="acknowledge">
          Acknowledge
        </button>
      ) : null}
      <button type="submit" value="resolve">
        Resolve
      </button>
    </ActionForm>
  );
}
