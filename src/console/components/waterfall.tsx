import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { epochMicros, ms } from '../format.ts';
import type { Span } from '../../contracts/api/telemetry.ts';

export interface Row {
  readonly span: Span;
  readonly depth: number;
  readonly offsetUs: number;
}

/** Spans in tree order (each after its parent), with depth and start offset from the trace's. */
export function layout(spans: readonly Span[]): { rows: Row[]; totalUs: number } {
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map<string | null, Span[]>();
  for (const span of spans) {
    const parent =
      span.parentSpanId !== null && ids.has(span.parentSpanId) ? span.parentSpanId : null;
    children.set(parent, [...(children.get(parent) ?? []), span]);
  }
  const starts = spans.map((s) => epochMicros(s.startedAt));
  const start = Math.min(...starts);
  const end = Math.max(...spans.map((s, i) => (starts[i] ?? start) + s.durationMs * 1000));
  const rows: Row[] = [];
  // Iterative depth-first walk: a 5,000-span trace must not overflow the stack.
  const stack: { span: Span; depth: number }[] = [...(children.get(null) ?? [])]
    .reverse()
    .map((span) => ({ span, depth: 0 }));
  while (stack.length > 0) {
    const next = stack.pop();
    if (!next) break;
    rows.push({ ...next, offsetUs: epochMicros(next.span.startedAt) - start });
    const kids = children.get(next.span.spanId) ?? [];
    for (let i = kids.length - 1; i >= 0; i -= 1) {
      const kid = kids[i];
      if (kid) stack.push({ span: kid, depth: next.depth + 1 });
    }
  }
  return { rows, totalUs: Math.max(1, end - start) };
}

/** Distinct hues, handed to services in the order they first appear in the trace. */
const HUES = [28, 210, 140, 280, 350, 60, 180, 320];
function huesOf(rows: readonly Row[]): Map<string | null, number> {
  const hues = new Map<string | null, number>();
  for (const { span } of rows) {
    if (!hues.has(span.service)) hues.set(span.service, HUES[hues.size % HUES.length] ?? 0);
  }
  return hues;
}

const hasException = (span: Span): boolean =>
  Object.keys(span.events).some((key) => key.startsWith('exception.'));

/** The waterfall: one row per span, services coloured, errors and exceptions marked. */
/** Every row is this tall (style.css `.span-row`), so the visible slice follows from scrollTop. */
const ROW_PX = 24;
/** Rows drawn above and below the visible ones, so scrolling shows no gap. */
const OVERSCAN = 20;

/**
 * The waterfall: one row per span, services coloured, errors and exceptions marked. Only the
 * rows in view (and a margin) are in the DOM, so a 5,000-span trace draws as fast as a small
 * one; the selected span is scrolled into view.
 */
export function Waterfall(props: {
  rows: readonly Row[];
  totalUs: number;
  selected: string | undefined;
  highlighted: ReadonlySet<string>;
  onSelect: (spanId: string) => void;
}) {
  const box = useRef<HTMLDivElement>(null);
  const [view, setView] = useState({ top: 0, height: 600 });
  const hues = useMemo(() => huesOf(props.rows), [props.rows]);
  const colour = (service: string | null): string => `hsl(${hues.get(service) ?? 0} 60% 45%)`;
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    setView({ top: element.scrollTop, height: element.clientHeight || 600 });
  }, []);
  useEffect(() => {
    const element = box.current;
    const index = props.rows.findIndex((row) => row.span.spanId === props.selected);
    if (!element || index < 0) return;
    const top = index * ROW_PX;
    if (top < element.scrollTop || top + ROW_PX > element.scrollTop + element.clientHeight) {
      element.scrollTop = Math.max(0, top - element.clientHeight / 2);
      setView({ top: element.scrollTop, height: element.clientHeight });
    }
  }, [props.selected, props.rows]);
  const first = Math.max(0, Math.floor(view.top / ROW_PX) - OVERSCAN);
  const last = Math.min(props.rows.length, Math.ceil((view.top + view.height) / ROW_PX) + OVERSCAN);
  return (
    <div
      class="waterfall"
      role="tree"
      aria-label="spans"
      aria-rowcount={props.rows.length}
      ref={box}
      onScroll={(event) => {
        setView({ top: event.currentTarget.scrollTop, height: event.currentTarget.clientHeight });
      }}
    >
      <div style={{ height: `${props.rows.length * ROW_PX}px`, position: 'relative' }}>
        {props.rows.slice(first, last).map(({ span, depth, offsetUs }, i) => (
          <div
            key={span.spanId}
            role="treeitem"
            tabIndex={0}
            aria-selected={props.selected === span.spanId}
            data-span={span.spanId}
            style={{ top: `${(first + i) * ROW_PX}px` }}
            class={`span-row${span.status === 2 ? ' error' : ''}${props.highlighted.has(span.spanId) ? ' has-logs' : ''}`}
            onClick={() => {
              props.onSelect(span.spanId);
            }}
            onKeyDown={(event) => {
              if (event.key === 'Enter' || event.key === ' ') props.onSelect(span.spanId);
            }}
          >
            <div class="span-label" style={{ paddingLeft: `${Math.min(depth, 30) * 12}px` }}>
              <span class="service-tag" style={{ background: colour(span.service) }}>
                {span.service}
              </span>{' '}
              {span.name}
              {hasException(span) ? (
                <span class="event-mark" title="exception event">
                  {' '}
                  ⚠
                </span>
              ) : null}
            </div>
            <div class="span-track">
              <div
                class="span-bar"
                style={{
                  left: `${(offsetUs / props.totalUs) * 100}%`,
                  width: `${Math.max(0.3, ((span.durationMs * 1000) / props.totalUs) * 100)}%`,
                  background: colour(span.service),
                }}
              />
              <span class="span-duration">{ms(span.durationMs)}</span>
            </div>
          </div>
        ))}
      </div>
    </div>
  );
}
