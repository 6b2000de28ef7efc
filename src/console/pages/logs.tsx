import { get } from '../api.ts';
import { Problem } from '../components/problem.tsx';
import { RangePicker, rangeOf } from '../components/range-picker.tsx';
import { dateTime } from '../format.ts';
import { navigate } from '../router.ts';
import { useData } from '../use-data.ts';
import { field } from '../form.ts';

const SEVERITIES = ['', 'debug', 'info', 'warn', 'error', 'fatal'] as const;

/** Log search: service, severity, words in the message, time; every row links to its trace. */
export function Logs({ query }: { query: URLSearchParams }) {
  const range = rangeOf(query);
  const params = {
    from: range.from,
    to: range.to,
    service: query.get('service') ?? undefined,
    severity: query.get('severity') ?? undefined,
    q: query.get('q') ?? undefined,
    limit: '200',
  };
  const found = useData(() => get('/api/v1/logs', params), query.toString());
  return (
    <section>
      <header class="page-header">
        <h1>Logs</h1>
        <RangePicker query={query} />
      </header>
      <form
        class="filters"
        onSubmit={(event) => {
          event.preventDefault();
          const data = new FormData(event.currentTarget);
          const next = new URLSearchParams();
          for (const name of ['service', 'severity', 'q']) {
            const value = field(data, name);
            if (value) next.set(name, value);
          }
          next.set('range', range.name === 'custom' ? '1h' : range.name);
          navigate(`/logs?${next.toString()}`);
        }}
      >
        <label>
          service <input name="service" value={query.get('service') ?? ''} />
        </label>
        <label>
          severity at least{' '}
          <select name="severity" value={query.get('severity') ?? ''}>
            {SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {s || 'any'}
              </option>
            ))}
          </select>
        </label>
        <label>
          message contains <input name="q" value={query.get('q') ?? ''} />
        </label>
        <button type="submit">Search</button>
      </form>
      <Problem error={found.error} />
      <table class="grid logs" aria-label="logs">
        <tbody>
          {(found.data?.logs ?? []).map((log, i) => (
            <tr
              key={`${log.timestamp}-${i}`}
              class={(log.severityNumber ?? 0) >= 17 ? 'failed' : ''}
            >
              <td class="mono">{dateTime(log.timestamp)}</td>
              <td>{log.severity}</td>
              <td>{log.service}</td>
              <td>{typeof log.message === 'string' ? log.message : JSON.stringify(log.message)}</td>
              <td>
                {/^[0-9a-f]{32}$/.test(log.traceId) && !/^0+$/.test(log.traceId) ? (
                  <a class="mono trace-link" href={`/traces/${log.traceId}`}>
                    trace
                  </a>
                ) : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {found.data?.logs.length === 0 ? <p class="muted">No log record matches.</p> : null}
    </section>
  );
}
