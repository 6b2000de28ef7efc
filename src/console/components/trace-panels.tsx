import { ms } from '../format.ts';
import { criticalTimeByService, type CriticalSection } from '../trace/critical-path.ts';
import type { ServiceShare } from '../trace/service-summary.ts';
import type { SpanQuery } from '../trace/span-filter.ts';
import { serviceColour } from './waterfall.tsx';

type Hues = ReadonlyMap<string | null, number>;

/** The span search: words (`key=value` for an attribute), a service, and "only matches". */
export function SpanSearch(props: {
  query: SpanQuery;
  services: readonly (string | null)[];
  matches: number | undefined;
  onlyMatches: boolean;
  onQuery: (query: SpanQuery) => void;
  onOnlyMatches: (only: boolean) => void;
}) {
  return (
    <form
      class="filters span-search"
      role="search"
      aria-label="find spans"
      onSubmit={(event) => {
        event.preventDefault();
      }}
    >
      <label>
        Find spans{' '}
        <input
          type="search"
          name="spans"
          placeholder="text or key=value"
          value={props.query.text}
          onInput={(event) => {
            props.onQuery({ ...props.query, text: event.currentTarget.value });
          }}
        />
      </label>
      <label>
        Service{' '}
        <select
          name="span-service"
          value={props.query.service}
          onChange={(event) => {
            props.onQuery({ ...props.query, service: event.currentTarget.value });
          }}
        >
          <option value="">any</option>
          {props.services.map((s) => (
            <option key={s} value={s ?? ''}>
              {s ?? '(none)'}
            </option>
          ))}
        </select>
      </label>
      <label>
        <input
          type="checkbox"
          name="only-matches"
          checked={props.onlyMatches}
          onChange={(event) => {
            props.onOnlyMatches(event.currentTarget.checked);
          }}
        />{' '}
        only matches
      </label>
      {props.matches === undefined ? null : (
        <output class="muted" aria-live="polite">
          {props.matches} matching spans
        </output>
      )}
    </form>
  );
}

function Bar({ share, hue }: { share: number; hue: number | undefined }) {
  return (
    <span class="share-bar">
      <span style={{ width: `${share * 100}%`, background: serviceColour(hue) }} />
    </span>
  );
}

/** What each service contributes to the critical path, so to the trace's duration. */
export function CriticalPathShare(props: { sections: readonly CriticalSection[]; hues: Hues }) {
  const shares = criticalTimeByService(props.sections);
  const total = shares.reduce((sum, s) => sum + s.us, 0) || 1;
  return (
    <table class="grid" aria-label="critical path by service">
      <caption>Critical path by service</caption>
      <thead>
        <tr>
          <th>service</th>
          <th>time on the critical path</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {shares.map((s) => (
          <tr key={s.service} data-service={s.service ?? ''}>
            <td>{s.service ?? '(none)'}</td>
            <td class="num">
              {ms(s.us / 1000)} ({Math.round((s.us / total) * 100)}%)
            </td>
            <td>
              <Bar share={s.us / total} hue={props.hues.get(s.service)} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Per service of the trace: spans, self time, errors. */
export function ServiceSummary(props: { shares: readonly ServiceShare[] }) {
  return (
    <table class="grid" aria-label="services in this trace">
      <caption>Services in this trace</caption>
      <thead>
        <tr>
          <th>service</th>
          <th>spans</th>
          <th>self time</th>
          <th>errors</th>
        </tr>
      </thead>
      <tbody>
        {props.shares.map((s) => (
          <tr key={s.service} data-service={s.service ?? ''}>
            <td>{s.service ?? '(none)'}</td>
            <td class="num">{s.spans}</td>
            <td class="num">{ms(s.selfUs / 1000)}</td>
            <td class={`num${s.errors > 0 ? ' bad' : ''}`}>{s.errors}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
