import { get } from '../api.ts';
import { Problem } from '../components/problem.tsx';
import { RangePicker, rangeOf } from '../components/range-picker.tsx';
import { useState } from 'preact/hooks';
import { WhatIsDifferent, WhereItStarts, useDifferences } from '../components/differences.tsx';
import { Scatter, type BrushedRegion } from '../components/scatter.tsx';
import { dateTime, ms } from '../format.ts';
import { navigate } from '../router.ts';
import { useData } from '../use-data.ts';
import { field } from '../form.ts';

const FILTERS = [
  'service',
  'operation',
  'minDurationMs',
  'maxDurationMs',
  'attribute',
  'sort',
] as const;
const SORTS = { newest: 'newest', longest: 'longest', 'most-spans': 'most spans' } as const;

/** Trace search: filters in the URL, a duration-over-time scatter (errors red) and a list. */
export function Traces({ query }: { query: URLSearchParams }) {
  const range = rangeOf(query);
  const params = {
    from: range.from,
    to: range.to,
    errors: query.get('errors') === 'true' ? 'true' : undefined,
    ...Object.fromEntries(FILTERS.map((name) => [name, query.get(name) ?? undefined])),
  };
  const found = useData(() => get('/api/v1/traces', params), query.toString());
  const submit = (form: HTMLFormElement): void => {
    const next = new URLSearchParams();
    const data = new FormData(form);
    for (const name of FILTERS) {
      const value = field(data, name);
      if (value) next.set(name, value);
    }
    if (data.get('errors')) next.set('errors', 'true');
    next.set('range', range.name === 'custom' ? '1h' : range.name);
    navigate(`/traces?${next.toString()}`);
  };
  const traces = found.data?.traces ?? [];
  const longest = Math.max(0.001, ...traces.map((t) => t.durationMs));
  // A region brushed on the scatter, compared with the rest of the service's requests in range.
  const [region, setRegion] = useState<BrushedRegion>();
  const service = query.get('service') ?? undefined;
  // One service searched: its deploys in the range, marked on the scatter.
  const deploys = useData(
    async () =>
      service
        ? (await get('/api/v1/deployments', { service, from: range.from, to: range.to }))
            .deployments
        : [],
    query.toString(),
  );
  const compared = useDifferences(
    region && service
      ? {
          service,
          from: range.from,
          to: range.to,
          startFrom: new Date(region.startFrom).toISOString(),
          startTo: new Date(region.startTo).toISOString(),
          minMs: String(region.minMs),
          maxMs: String(region.maxMs),
        }
      : undefined,
    `${query.toString()}:${JSON.stringify(region ?? null)}`,
  );
  return (
    <section>
      <header class="page-header">
        <h1>Traces</h1>
        <RangePicker query={query} />
      </header>
      <form
        class="filters"
        onSubmit={(event) => {
          event.preventDefault();
          submit(event.currentTarget);
        }}
      >
        <label>
          service <input name="service" value={query.get('service') ?? ''} />
        </label>
        <label>
          route / operation <input name="operation" value={query.get('operation') ?? ''} />
        </label>
        <label>
          <input type="checkbox" name="errors" checked={query.get('errors') === 'true'} /> errors
          only
        </label>
        <label>
          min ms{' '}
          <input
            name="minDurationMs"
            inputMode="numeric"
            size={6}
            value={query.get('minDurationMs') ?? ''}
          />
        </label>
        <label>
          max ms{' '}
          <input
            name="maxDurationMs"
            inputMode="numeric"
            size={6}
            value={query.get('maxDurationMs') ?? ''}
          />
        </label>
        <label>
          attribute{' '}
          <input name="attribute" placeholder="key=value" value={query.get('attribute') ?? ''} />
        </label>
        <label>
          sort{' '}
          <select name="sort" value={query.get('sort') ?? 'newest'}>
            {Object.entries(SORTS).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <button type="submit">Search</button>
      </form>
      <Problem error={found.error} />
      <Scatter traces={traces} onBrush={setRegion} brushed={region} deploys={deploys.data} />
      {traces.length > 0 && !region ? (
        <p class="muted">Drag over the dots to compare those requests with the others.</p>
      ) : null}
      {region ? (
        <div class="brushed" data-region="brushed">
          <p>
            Brushed: started {dateTime(new Date(region.startFrom).toISOString())} to{' '}
            {dateTime(new Date(region.startTo).toISOString())}, {ms(region.minMs)} to{' '}
            {ms(region.maxMs)}{' '}
            <button
              type="button"
              onClick={() => {
                setRegion(undefined);
              }}
            >
              clear
            </button>
          </p>
          {service ? (
            <>
              <WhatIsDifferent loaded={compared} />
              <WhereItStarts loaded={compared} />
            </>
          ) : (
            <p class="muted">Search one service to compare its brushed requests with the others.</p>
          )}
        </div>
      ) : null}
      <table class="grid" aria-label="traces">
        <thead>
          <tr>
            <th>started</th>
            <th>trace (root service: operation)</th>
            <th>duration</th>
            <th class="num">spans</th>
            <th>services</th>
            <th class="num">errors</th>
            <th class="num">kept 1 in</th>
          </tr>
        </thead>
        <tbody>
          {traces.map((t) => (
            <tr key={t.traceId} class={t.failed ? 'failed' : ''} data-trace={t.traceId}>
              <td>{dateTime(t.startedAt)}</td>
              <td>
                <a class="trace-link" href={`/traces/${t.traceId}`}>
                  {t.service ?? '?'}: {t.name}
                </a>
                {t.rootKept ? null : (
                  <span class="muted" title="the root span was not kept; the earliest kept span">
                    {' '}
                    (root not kept)
                  </span>
                )}{' '}
                <span class="mono muted">{t.traceId.slice(0, 8)}</span>
              </td>
              <td class="duration-cell">
                <span
                  class="duration-bar"
                  style={{ width: `${(t.durationMs / longest) * 100}%` }}
                />
                {ms(t.durationMs)}
              </td>
              <td class="num" data-field="spans">
                {t.spans}
              </td>
              <td data-field="services">
                {t.services.map((s) => (
                  <span key={s.service} class="service-count">
                    {s.service} {s.spans}
                  </span>
                ))}
              </td>
              <td class={`num ${t.errors > 0 ? 'bad' : ''}`} data-field="errors">
                {t.errors}
              </td>
              <td class="num">{Number(t.weight.toPrecision(3))}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {found.data && traces.length === 0 ? <p class="muted">No trace matches.</p> : null}
    </section>
  );
}
