import { Fragment } from 'preact';
import { get } from '../api.ts';
import { Problem } from '../components/problem.tsx';
import { SilenceForm } from '../components/silence-form.tsx';
import { AlertTrend } from '../components/alert-trend.tsx';
import {
  DeploysAroundOnset,
  ExemplarTraces,
  NewErrorPatterns,
  useAlertWhy,
} from '../components/alert-why.tsx';
import { WhatIsDifferent, WhereItStarts } from '../components/differences.tsx';
import { dateTime, ms, multiple, percent } from '../format.ts';
import type { RuleSummary } from '../../contracts/api/alerts.ts';
import { useData } from '../use-data.ts';

/** A rule's figure as its kind reads: a rate as a percentage, a latency in ms, a burn rate as a multiple, else a count. */
export const shownAs =
  (rule: RuleSummary | undefined) =>
  (value: number): string => {
    const kind = rule?.kind === 'baseline' ? rule.metric : rule?.kind;
    return kind === 'error_rate'
      ? percent(value)
      : kind === 'latency_percentile' || kind === 'p95'
        ? ms(value)
        : kind === 'slo_burn'
          ? multiple(value)
          : String(value);
  };

/** Annotations with a place of their own; any other (a pattern's first time) is listed as a fact. */
const SHOWN_ELSEWHERE = new Set(['summary', 'description', 'runbook_url']);

/**
 * One alert, in the order an on-call engineer asks: what fired and since when, what is different
 * about the failing (or slow) requests, deploys around the onset, where in the call chain it
 * starts, new error patterns, traces to open, the silence form, and its state history.
 */
export function AlertDetail({ id }: { id: string }) {
  const loaded = useData(() => get('/api/v1/alerts/{id}', { id }), id, 10_000);
  const rules = useData(() => get('/api/v1/rules'), 'rules');
  const alert = loaded.data?.alert;
  const rule = rules.data?.rules.find((candidate) => candidate.name === alert?.rule);
  const shown = shownAs(rule);
  const why = useAlertWhy(alert, rule);
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
              <strong>{shown(alert.value)}</strong> against {shown(alert.threshold)}
            </dd>
            <dt>since</dt>
            <dd>{dateTime(alert.startsAt)}</dd>
            <dt>incident</dt>
            <dd>
              {alert.incidentId ? (
                <a href={`/incidents/${alert.incidentId}`} class="mono">
                  {alert.incidentId}
                </a>
              ) : (
                <span class="muted">none yet (an alert joins one once it fires)</span>
              )}
            </dd>
            {alert.endsAt ? (
              <>
                <dt>ended</dt>
                <dd>{dateTime(alert.endsAt)}</dd>
              </>
            ) : null}
            {Object.entries(alert.annotations)
              .filter(([key]) => !SHOWN_ELSEWHERE.has(key))
              .map(([key, value]) => (
                <Fragment key={key}>
                  <dt>{key.replaceAll('_', ' ')}</dt>
                  {/* A console path (a faulty deploy's comparison) is a link. */}
                  <dd>{value.startsWith('/') ? <a href={value}>{value}</a> : value}</dd>
                </Fragment>
              ))}
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
          <AlertTrend alert={alert} rule={rule} />
          {why.differences ? (
            <WhatIsDifferent loaded={why.differences} />
          ) : (
            <>
              <h2>What is different</h2>
              <p class="muted">{why.noComparison}</p>
            </>
          )}
          <DeploysAroundOnset why={why} />
          {why.differences ? <WhereItStarts loaded={why.differences} /> : null}
          <NewErrorPatterns why={why} />
          <ExemplarTraces why={why} recorded={alert.exemplarTraceIds} />
          {alert.state !== 'resolved' ? (
            <>
              <h2>Silence</h2>
              <SilenceForm alertId={alert.id} />
            </>
          ) : null}
          <h2>History</h2>
          <ol class="timeline" aria-label="state history">
            {loaded.data.history.map((t) => (
              <li key={`${t.at}-${t.to}`}>
                <time>{dateTime(t.at)}</time> {t.from} → <strong>{t.to}</strong> ({shown(t.value)})
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
