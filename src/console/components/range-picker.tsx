import { field } from '../form.ts';
import { navigate } from '../router.ts';

/** An RFC 3339 time as a datetime-local input shows it (local time, to the minute). */
const local = (iso: string | null): string => {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  return new Date(date.getTime() - date.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};

export const RANGES = {
  '15m': 15 * 60_000,
  '1h': 3_600_000,
  '6h': 6 * 3_600_000,
  '24h': 86_400_000,
} as const;
export type RangeName = keyof typeof RANGES;

/** The time range of a page, from its URL (`?range=1h`, or `from`/`to`), default the last hour. */
export function rangeOf(query: URLSearchParams): {
  from: string;
  to: string | undefined;
  name: string;
} {
  const from = query.get('from');
  if (from) return { from, to: query.get('to') ?? undefined, name: 'custom' };
  const name = query.get('range') ?? '1h';
  const width = (RANGES as Record<string, number | undefined>)[name] ?? RANGES['1h'];
  return { from: new Date(Date.now() - width).toISOString(), to: undefined, name };
}

/** Range buttons that rewrite the page's URL, so the choice survives a reload or a shared link. */
export function RangePicker({ query }: { query: URLSearchParams }) {
  const current = rangeOf(query).name;
  const choose = (name: string): void => {
    const next = new URLSearchParams(query);
    next.delete('from');
    next.delete('to');
    next.set('range', name);
    navigate(`${location.pathname}?${next.toString()}`);
  };
  return (
    <div class="range" role="group" aria-label="time range">
      {Object.keys(RANGES).map((name) => (
        <button
          type="button"
          key={name}
          aria-pressed={current === name}
          onClick={() => {
            choose(name);
          }}
        >
          {name}
        </button>
      ))}
      <form
        class="custom-range"
        aria-label="custom range"
        onSubmit={(event) => {
          event.preventDefault();
          const data = new FormData(event.currentTarget);
          const from = Date.parse(field(data, 'from'));
          const to = Date.parse(field(data, 'to'));
          if (Number.isNaN(from)) return;
          const next = new URLSearchParams(query);
          next.delete('range');
          next.set('from', new Date(from).toISOString());
          if (Number.isNaN(to)) next.delete('to');
          else next.set('to', new Date(to).toISOString());
          navigate(`${location.pathname}?${next.toString()}`);
        }}
      >
        <input
          type="datetime-local"
          name="from"
          aria-label="from"
          defaultValue={local(query.get('from'))}
        />
        <span class="muted">–</span>
        <input
          type="datetime-local"
          name="to"
          aria-label="to"
          defaultValue={local(query.get('to'))}
        />
        <button type="submit" aria-pressed={current === 'custom'}>
          custom
        </button>
      </form>
    </div>
  );
}
