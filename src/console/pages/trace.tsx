import { Fragment } from 'preact';
import { useMemo, useState } from 'preact/hooks';
import { get } from '../api.ts';
import { Problem } from '../components/problem.tsx';
import { TraceView } from '../components/trace-view.tsx';
import { ms, time } from '../format.ts';
import type { Span } from '../../contracts/api/telemetry.ts';
import { useData } from '../use-data.ts';

const text = (value: unknown): string =>
  typeof value === 'string' ? value : JSON.stringify(value);

function Pairs({ title, values }: { title: string; values: Record<string, unknown> }) {
  const entries = Object.entries(values);
  if (entries.length === 0) return null;
  return (
    <>
      <h3>{title}</h3>
      <dl class="pairs">
        {entries.map(([key, value]) => (
          <Fragment key={key}>
            <dt>{key}</dt>
            <dd>{text(value)}</dd>
          </Fragment>
        ))}
      </dl>
    </>
  );
}

function SpanDetails({ span }: { span: Span }) {
  const status = ['unset', 'ok', 'error'][span.status] ?? String(span.status);
  return (
    <aside class="span-details" aria-label="span details">
      <h2>{span.name}</h2>
      <p>
        {span.service} · {span.kind.replace('SPAN_KIND_', '').toLowerCase()} · {ms(span.durationMs)}{' '}
        · status <strong class={span.status === 2 ? 'bad' : ''}>{status}</strong>
        {span.statusMessage ? ` (${span.statusMessage})` : ''}
      </p>
      <p class="muted">
        {span.weight > 1
          ? `kept 1 in ${Number(span.weight.toPrecision(3))} (sampling weight)`
          : 'kept every one like it (weight 1)'}
      </p>
      <Pairs title="Attributes" values={span.attributes} />
      <Pairs title="Events" values={span.events} />
      <Pairs title="Resource" values={span.resource} />
    </aside>
  );
}

/**
 * One trace: the waterfall, the selected span's details, and the trace's logs in time order on
 * the same page. Selecting a span highlights its logs; clicking a log selects its span.
 */
export function Trace({ traceId }: { traceId: string }) {
  const loaded = useData(() => get('/api/v1/traces/{traceId}', { traceId }), traceId);
  const [selected, setSelected] = useState<string | undefined>(undefined);
  const links = useData(() => get('/api/v1/links'), 'links');
  const spans = loaded.data?.spans ?? [];
  const logs = loaded.data?.logs ?? [];
  const withLogs = useMemo(
    () => new Set(logs.flatMap((l) => (l.spanId ? [l.spanId] : []))),
    [loaded.data],
  );
  const span = spans.find((s) => s.spanId === selected);
  const selectFromLog = (spanId: string | null): void => {
    if (!spanId || !spans.some((s) => s.spanId === spanId)) return;
    setSelected(spanId); // the waterfall scrolls it into view
  };
  return (
    <section>
      <header class="page-header">
        <h1>
          Trace <span class="mono">{traceId}</span>
        </h1>
        <button
          type="button"
          onClick={() => {
            void navigator.clipboard.writeText(traceId);
          }}
        >
          Copy id
        </button>
        {links.data?.jaegerUi ? (
          <a href={`${links.data.jaegerUi.replace(/\/+$/, '')}/trace/${traceId}`} rel="noreferrer">
            open in Jaeger
          </a>
        ) : null}
      </header>
      <Problem error={loaded.error} />
      {spans.length > 0 ? (
        <TraceView
          spans={spans}
          logCount={logs.length}
          selected={selected}
          withLogs={withLogs}
          onSelect={setSelected}
        >
          {span ? <SpanDetails span={span} /> : null}
        </TraceView>
      ) : null}
      <h2>Logs of this trace</h2>
      {loaded.data && logs.length === 0 ? (
        <p class="muted">This trace wrote no log record.</p>
      ) : null}
      <table class="grid logs" aria-label="trace logs">
        <tbody>
          {logs.map((log, i) => (
            <tr
              key={`${log.timestamp}-${i}`}
              data-log-span={log.spanId ?? ''}
              class={`${log.spanId !== null && log.spanId === selected ? 'selected' : ''} ${(log.severityNumber ?? 0) >= 17 ? 'failed' : ''}`}
              onClick={() => {
                selectFromLog(log.spanId);
              }}
            >
              <td class="mono">{time(log.timestamp)}</td>
              <td>{log.severity}</td>
              <td>{log.service}</td>
              <td>{text(log.message)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
