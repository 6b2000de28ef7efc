import type { Alert, RuleSummary } from '../../contracts/api/alerts.ts';
import type { Deployment } from '../../contracts/api/deployments.ts';
import type { Differences } from '../../contracts/api/differences.ts';
import { get } from '../api.ts';
import { count, dateTime } from '../format.ts';
import { useData, type Loaded } from '../use-data.ts';
import { useDifferences, type DifferencesParams } from './differences.tsx';

const MINUTE = 60_000;
/** Deploys this long before an alert started, and up to 15 minutes after, are "around" it. */
const DEPLOYS_BEFORE = 60 * MINUTE;

/** Rule kinds that count log records or storage, not requests: no requests to compare. */
const NOT_REQUESTS = new Set(['log_count', 'log_pattern', 'service_silent', 'storage_deletions']);

/** What the alert page shows to answer why, loaded once per alert. */
export interface AlertWhy {
  /** The comparison of the alert's condition in its window; undefined where none applies. */
  readonly differences: Loaded<Differences> | undefined;
  /** Why there is no comparison, when there is none. */
  readonly noComparison: string;
  readonly deploys: Loaded<readonly Deployment[]>;
  readonly newPatterns: Loaded<readonly { pattern: string; count: number; example: string }[]>;
}

/**
 * The requests an alert's condition is about, over its own window (from a rule window before
 * it started until it ended, or now): the failed ones, or for a latency rule the ones slower
 * than its threshold. A string says why there are none.
 */
export function alertSelection(
  alert: Alert | undefined,
  rule: RuleSummary | undefined,
): DifferencesParams | string {
  if (!alert || !rule) return 'Loading…';
  if (!alert.service)
    return 'This alert is not about one service: there are no requests to compare.';
  if (NOT_REQUESTS.has(rule.kind) || (rule.kind === 'error_rate' && rule.over === 'logs'))
    return 'This alert counts log records, not requests: there are no requests to compare.';
  const slow =
    rule.kind === 'latency_percentile' || (rule.kind === 'baseline' && rule.metric === 'p95');
  const from = Date.parse(alert.startsAt) - Math.max(rule.window, 5 * MINUTE);
  return {
    service: alert.service,
    from: new Date(from).toISOString(),
    // A firing alert's window runs until now: the API's default, so the key stays the same.
    to: alert.endsAt ?? undefined,
    route: alert.labels.route ?? rule.route,
    ...(slow ? { minMs: String(Math.round(alert.threshold)) } : { failed: 'true' }),
  };
}

export function useAlertWhy(alert: Alert | undefined, rule: RuleSummary | undefined): AlertWhy {
  const selection = alertSelection(alert, rule);
  const params = typeof selection === 'string' ? undefined : selection;
  const differences = useDifferences(params);
  const service = alert?.service ?? undefined;
  const onset = alert ? Date.parse(alert.startsAt) : 0;
  const deploys = useData(
    async () =>
      service
        ? (
            await get('/api/v1/deployments', {
              service,
              from: new Date(onset - DEPLOYS_BEFORE).toISOString(),
              to: new Date(Math.min(Date.now(), onset + 15 * MINUTE)).toISOString(),
            })
          ).deployments
        : [],
    `${service ?? ''}:${String(onset)}`,
  );
  const newPatterns = useData(
    async () => {
      if (!service || !params) return [];
      const rate = await get('/api/v1/analysis/error-rate', {
        service,
        from: params.from,
        to: params.to,
      });
      return rate.topErrors
        .filter((p) => p.firstSeenInRange)
        .map((p) => ({ pattern: p.pattern, count: p.count, example: p.exampleMessage }));
    },
    `${service ?? ''}:${params?.from ?? ''}:${params?.to ?? ''}`,
  );
  return {
    differences: params ? differences : undefined,
    noComparison: typeof selection === 'string' ? selection : '',
    deploys,
    newPatterns,
  };
}

/** Deploys of the alert's service from an hour before it started to 15 minutes after. */
export function DeploysAroundOnset({ why }: { why: AlertWhy }) {
  const deploys = why.deploys.data ?? [];
  return (
    <>
      <h2>Deploys around the onset</h2>
      {deploys.length === 0 ? (
        <p class="muted">
          {why.deploys.loading ? 'Loading…' : 'None from an hour before it started until now.'}
        </p>
      ) : (
        <ul class="deploys-around" aria-label="deploys around the onset">
          {deploys.map((d) => (
            <li key={`${d.source}:${d.version}:${d.at}`} data-version={d.version}>
              <a
                href={`/services/${encodeURIComponent(d.service)}?deploy=${encodeURIComponent(d.version)}`}
              >
                {d.version}
              </a>{' '}
              {d.previousVersion ? <span class="muted">after {d.previousVersion} </span> : null}
              at {dateTime(d.at)} <span class={`source ${d.source}`}>{d.source}</span>
              {d.by ? ` by ${d.by}` : ''}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

/** Error log patterns whose first record is in the alert's window. */
export function NewErrorPatterns({ why }: { why: AlertWhy }) {
  const patterns = why.newPatterns.data ?? [];
  return (
    <>
      <h2>New error patterns</h2>
      {patterns.length === 0 ? (
        <p class="muted">
          {why.newPatterns.loading ? 'Loading…' : 'No error log pattern is new in this window.'}
        </p>
      ) : (
        <ul class="new-patterns" aria-label="new error patterns">
          {patterns.map((p) => (
            <li key={p.pattern}>
              <code class="mono">{p.pattern}</code> <span class="muted">× {count(p.count)}</span>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

/** Traces to open first: selected requests with the top different value, then those recorded. */
export function ExemplarTraces({ why, recorded }: { why: AlertWhy; recorded: readonly string[] }) {
  const data = why.differences?.data;
  const top = data?.attributes[0];
  const chosen = data?.exemplars ?? [];
  const others = recorded.filter((id) => !chosen.includes(id));
  const link = (traceId: string) => (
    <li key={traceId}>
      <a class="mono trace-link" href={`/traces/${traceId}`}>
        {traceId}
      </a>
    </li>
  );
  return (
    <>
      <h2>Exemplar traces</h2>
      {chosen.length > 0 && top ? (
        <>
          <p class="muted">
            With <code class="mono">{`${top.key}=${top.value}`}</code>:
          </p>
          <ul class="exemplars" aria-label="exemplars of the top difference">
            {chosen.map(link)}
          </ul>
        </>
      ) : null}
      {others.length > 0 ? (
        <>
          {chosen.length > 0 ? <p class="muted">Recorded when it fired:</p> : null}
          <ul class="exemplars" aria-label="exemplars recorded">
            {others.map(link)}
          </ul>
        </>
      ) : null}
      {chosen.length === 0 && others.length === 0 ? <p class="muted">None recorded.</p> : null}
    </>
  );
}
