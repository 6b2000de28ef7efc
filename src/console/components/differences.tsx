import type { Difference, Differences, Origin } from '../../contracts/api/differences.ts';
import { get, type ApiFailure } from '../api.ts';
import { count, percent } from '../format.ts';
import { useData, type Loaded } from '../use-data.ts';

/** What `GET /api/v1/analysis/differences` takes: a service, a range and a selection. */
export type DifferencesParams = Readonly<Record<string, string | undefined>> & {
  readonly service: string;
};

/**
 * The comparison of a selection, loaded again whenever `key` changes (by default the parameters;
 * a page whose range moves with the clock passes its URL instead).
 */
export function useDifferences(
  params: DifferencesParams | undefined,
  key: string = JSON.stringify(params ?? null),
): Loaded<Differences> {
  return useData(async () => {
    if (!params) throw new Error('no selection');
    return get('/api/v1/analysis/differences', params);
  }, key);
}

const valueText = (d: Difference) => `${d.key}=${d.value}`;

/** A selection the API refused (none of its requests in the window) is said plainly, not red. */
function Unavailable({ error }: { error: ApiFailure | Error | undefined }) {
  if (!error) return null;
  return (
    <p class="muted" data-differences="unavailable">
      {error.message}
    </p>
  );
}

/**
 * The values over-represented in the selection, most first: each with its share of the
 * selection beside its share of the others ("94% of failed requests vs 3% of the others").
 */
export function WhatIsDifferent({
  loaded,
  titled = true,
}: {
  loaded: Loaded<Differences>;
  /** False where the page gives the heading itself (above its own selection form). */
  titled?: boolean;
}) {
  const data = loaded.data;
  return (
    <>
      {titled ? <h2>What is different</h2> : null}
      {!data && (loaded.loading ? <p class="muted">Comparing…</p> : null)}
      {!data && <Unavailable error={loaded.error} />}
      {data && (
        <>
          <p class="muted">
            {count(data.selection.requests)} {data.description} against{' '}
            {count(data.baseline.requests)} others of {data.service}, weighted
            {data.measuredShare < 1 ? ` (measured on ${percent(data.measuredShare)} of spans)` : ''}
          </p>
          {data.attributes.length === 0 ? (
            <p class="muted" data-differences="none">
              Nothing stands out: no value is more common among the {data.description} beyond what
              chance explains.
            </p>
          ) : (
            <table class="grid differences" aria-label="what is different">
              <tbody>
                {data.attributes.slice(0, 8).map((d) => (
                  <tr key={valueText(d)} data-key={d.key} data-value={d.value}>
                    <td class="share-pair">
                      <span class="share-bar">
                        <span class="selected" style={{ width: `${d.selection * 100}%` }} />
                      </span>
                      <span class="share-bar">
                        <span class="others" style={{ width: `${d.baseline * 100}%` }} />
                      </span>
                    </td>
                    <td>
                      <strong>{percent(d.selection)}</strong> of {data.description} vs{' '}
                      {percent(d.baseline)} of the others: <code class="mono">{valueText(d)}</code>
                      {d.sameAs.length > 0 && (
                        <span class="muted"> (same requests as {d.sameAs.join(', ')})</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          {data.outcomes.length > 0 && (
            <p class="muted">
              How they ended:{' '}
              {data.outcomes
                .map((d) => `${valueText(d)} (${percent(d.selection)} vs ${percent(d.baseline)})`)
                .join(', ')}
            </p>
          )}
        </>
      )}
    </>
  );
}

const originText = (o: Origin, description: string) =>
  `${percent(o.share)} of ${description} ${o.kind === 'error' ? 'failed in' : 'spent most of their time in'}`;

/** Where the selection's errors began and its time went, in the call chain below it. */
export function WhereItStarts({ loaded }: { loaded: Loaded<Differences> }) {
  const data = loaded.data;
  if (!data || data.origins.length === 0) return null;
  return (
    <>
      <h2>Where it starts</h2>
      <ul class="origins" aria-label="where it starts">
        {data.origins.map((o) => (
          <li key={`${o.kind}:${o.service}:${o.operation}`} data-service={o.service}>
            {originText(o, data.description)}{' '}
            <a href={`/services/${encodeURIComponent(o.service)}`}>{o.service}</a>{' '}
            <code class="mono">{o.operation}</code>
            {o.itself ? <span class="muted"> (itself)</span> : null}
          </li>
        ))}
      </ul>
      <p class="muted">From {data.tracesRead} traces of the selection, read whole.</p>
    </>
  );
}
