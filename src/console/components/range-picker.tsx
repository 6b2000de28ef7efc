import { navigate } from '../router.ts';

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
      {current === 'custom' ? <span class="muted">custom</span> : null}
    </div>
  );
}
