import { get } from '../api.ts';
import { Problem } from '../components/problem.tsx';
import { bytes, count } from '../format.ts';
import type { StorageUsage, StoredSignal } from '../../contracts/api/storage.ts';
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

/** The budget, what is left of it, and the retention in force. */
function Limits({ storage }: { storage: StorageUsage }) {
  const { budget, retention } = storage;
  return (
    <dl class="limits" aria-label="storage limits">
      <dt>budget</dt>
      <dd data-field="budget">
        {bytes(budget.bytes)} ({budget.setting}): {bytes(budget.used)} used,{' '}
        <span data-field="left">
          {bytes(budget.left)} left
          {budget.leftShare === null ? '' : ` (${String(Math.round(budget.leftShare * 100))}%)`}
          {budget.limitedBy === 'disk' ? ', by the disk: it reaches 80% first' : ''}
        </span>
      </dd>
      <dt>disk</dt>
      <dd data-field="disk">
        {bytes(budget.disk.usedBytes)} of {bytes(budget.disk.totalBytes)} used
      </dd>
      <dt>retention</dt>
      <dd data-field="retention">
        logs {retention.logs} days, spans {retention.spans} days, alert history{' '}
        {retention.alertHistory} days
      </dd>
    </dl>
  );
}

/** The last deletions, newest first. */
function Deletions({ deletions }: { deletions: StorageUsage['deletions'] }) {
  if (deletions.length === 0) return <p class="muted">Nothing deleted yet.</p>;
  return (
    <table class="grid" aria-label="deletions">
      <thead>
        <tr>
          <th>when</th>
          <th>index</th>
          <th>why</th>
          <th class="num">on disk</th>
          <th>detail</th>
        </tr>
      </thead>
      <tbody>
        {deletions.map((d) => (
          <tr key={`${d.at}-${d.index}`} data-reason={d.reason} data-outcome={d.outcome}>
            <td>{d.at.slice(0, 19).replace('T', ' ')}</td>
            <td class="mono">{d.index}</td>
            <td>{d.outcome === 'failed' ? `${d.reason} (refused)` : d.reason}</td>
            <td class="num">{bytes(d.bytes)}</td>
            <td>{d.detail}</td>
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
      {storage.data ? <Limits storage={storage.data} /> : null}
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
      {storage.data ? (
        <section>
          <h2>Last deletions</h2>
          <Deletions deletions={storage.data.deletions} />
        </section>
      ) : null}
      {storage.loading ? <p class="muted">Loading…</p> : null}
    </section>
  );
}
