import { get } from '../api.ts';
import { Problem } from '../components/problem.tsx';
import { bytes, count } from '../format.ts';
import type { StoredSignal } from '../../contracts/api/storage.ts';
import { useData } from '../use-data.ts';

const REFRESH_MS = 60_000;

const TITLES: Record<StoredSignal['signal'], string> = {
  logs: 'Logs',
  spans: 'Spans',
  alertHistory: 'Alert history',
};

const perRecord = (value: number | null): string =>
  value === null ? '–' : `${value.toFixed(0)} B`;

/** One signal: a row per day (newest first), its total on top. */
function SignalTable({ signal }: { signal: StoredSignal }) {
  return (
    <table class="grid" aria-label={`${signal.signal} storage`} data-signal={signal.signal}>
      <thead>
        <tr>
          <th>day</th>
          <th>index</th>
          <th class="num">documents</th>
          <th class="num">on disk</th>
          <th class="num">bytes per record</th>
        </tr>
      </thead>
      <tbody>
        <tr class="total" data-day="total">
          <td>all days</td>
          <td />
          <td class="num">{count(signal.documents)}</td>
          <td class="num">{bytes(signal.bytes)}</td>
          <td class="num">{perRecord(signal.bytesPerRecord)}</td>
        </tr>
        {signal.days.map((day) => (
          <tr key={day.index} data-day={day.day ?? 'all'}>
            <td>{day.day ?? 'every day'}</td>
            <td class="mono">{day.index}</td>
            <td class="num">{count(day.documents)}</td>
            <td class="num">{bytes(day.bytes)}</td>
            <td class="num">{perRecord(day.bytesPerRecord)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** What Lantern keeps in Elasticsearch: per signal and day, documents and bytes. */
export function Storage() {
  const storage = useData(() => get('/api/v1/storage'), 'storage', REFRESH_MS);
  return (
    <section>
      <header class="page-header">
        <h1>Storage</h1>
        {storage.data ? (
          <span class="muted" data-field="total">
            {bytes(storage.data.total.bytes)} on disk, {count(storage.data.total.documents)}{' '}
            documents
          </span>
        ) : null}
      </header>
      <Problem error={storage.error} />
      {(storage.data?.signals ?? []).map((signal) => (
        <section key={signal.signal}>
          <h2>{TITLES[signal.signal]}</h2>
          {signal.days.length === 0 ? (
            <p class="muted">Nothing stored.</p>
          ) : (
            <SignalTable signal={signal} />
          )}
        </section>
      ))}
      {storage.loading ? <p class="muted">Loading…</p> : null}
    </section>
  );
}
