import { get } from '../api.ts';
import { Problem } from '../components/problem.tsx';
import { dateTime, ms, percent } from '../format.ts';
import type { Alert as AlertType, Transition } from '../types.ts';
import { useData } from '../use-data.ts';

const shown = (alert: AlertType, value: number): string =>
  alert.rule.includes('latency') || alert.labels.kind === 'latency_percentile'
    ? ms(value)
    : value > 0 && value < 1
      ? percent(value)
      : String(value);

/** One alert: value against threshold, its state history, exemplar traces, the runbook. */
export function AlertDetail({ id }: { id: string }) {
  const loaded = useData(
    () =>
      get<{ alert: AlertType; history: Transition[] }>(`/api/v1/alerts/${encodeURIComponent(id)}`),
    id,
    10_000,
  );
  const alert = loaded.data?.alert;
  return (
    <section>
      <Problem error={loaded.error} />
      {alert ? (
        <>
          <header class="page-header">
            <h1>{alert.summary}</h1>
            <span class={`state ${alert.state}`}>{alert.state}</span>
            <span class={`severity ${alert.severity}`}>{alert.severity}</span>
          </header>
          <dl class="facts">
            <dt>rule</dt>
            <dd>{alert.rule}</dd>
            <dt>service</dt>
            <dd>
              {alert.service ? (
                <a href={`/services/${encodeURIComponent(alert.service)}`}>{alert.service}</a>
              ) : (
                'all'
              )}
            </dd>
            <dt>value / threshold</dt>
            <dd>
              <strong>{shown(alert, alert.value)}</strong> against {shown(alert, alert.threshold)}
            </dd>
            <dt>since</dt>
            <dd>{dateTime(alert.startsAt)}</dd>
            {alert.endsAt ? (
              <>
                <dt>ended</dt>
                <dd>{dateTime(alert.endsAt)}</dd>
              </>
            ) : null}
            {alert.annotations.runbook_url ? (
              <>
                <dt>runbook</dt>
                <dd>
                  <a href={alert.annotations.runbook_url} rel="noreferrer">
                    {alert.annotations.runbook_url}
                  </a>
                </dd>
              </>
            ) : null}
          </dl>
          <h2>Exemplar traces</h2>
          {alert.exemplarTraceIds.length === 0 ? <p class="muted">None recorded.</p> : null}
          <ul class="exemplars">
            {alert.exemplarTraceIds.map((traceId) => (
              <li key={traceId}>
                <a class="mono trace-link" href={`/traces/${traceId}`}>
                  {traceId}
                </a>
              </li>
            ))}
          </ul>
          <h2>History</h2>
          <ol class="timeline" aria-label="state history">
            {loaded.data.history.map((t) => (
              <li key={`${t.at}-${t.to}`}>
                <time>{dateTime(t.at)}</time> {t.from} → <strong>{t.to}</strong> (
                {shown(alert, t.value)})
              </li>
            ))}
          </ol>
        </>
      ) : loaded.loading ? (
        <p class="muted">Loading…</p>
      ) : null}
    </section>
  );
}
