import { useEffect, useRef, useState } from 'preact/hooks';
import { ms } from '../format.ts';
import type { Span } from '../../contracts/api/telemetry.ts';
import type { CriticalSection } from '../trace/critical-path.ts';
import type { Row } from '../trace/rows.ts';

/** Distinct hues, handed to services in the order they first appear in the trace. */
const HUES = [28, 210, 140, 280, 350, 60, 180, 320];
export function huesOf(spans: readonly Span[]): Map<string | null, number> {
  const hues = new Map<string | null, number>();
  for (const span of spans) {
    if (!hues.has(span.service)) hues.set(span.service, HUES[hues.size % HUES.length] ?? 0);
  }
  return hues;
}
export const serviceColour = (hue: number | undefined): string => `hsl(${hue ?? 0} 60% 45%)`;

const hasException = (span: Span): boolean =>
  Object.keys(span.events).some((key) => key.startsWith('exception.'));

/** Every row is this tall (style.css `.span-row`), so the visible slice follows from scrollTop. */
const ROW_PX = 24;
/** Rows drawn above and below the visible ones, so scrolling shows no gap. */
const OVERSCAN = 20;

export interface WaterfallProps {
  /** The rows showing (collapsed subtrees left out), in tree order. */
  rows: readonly Row[];
  hues: ReadonlyMap<string | null, number>;
  startUs: number;
  totalUs: number;
  selected: string | undefined;
  /** Spans with logs. */
  withLogs: ReadonlySet<string>;
  /** Spans matching the span search; undefined when nothing is searched (nothing dimmed). */
  matches: ReadonlySet<string> | undefined;
  /** The critical path's sections by span. */
  critical: ReadonlyMap<string, readonly CriticalSection[]>;
  collapsed: ReadonlySet<string>;
  onSelect: (spanId: string) => void;
  onToggle: (spanId: string) => void;
}

/**
 * The waterfall: one row per span, services coloured, errors and exceptions marked, the
 * critical path drawn over the bars, search matches marked and the rest dimmed. Only the rows
 * in view (and a margin) are in the DOM, so a 5,000-span trace draws as fast as a small one;
 * the selected span is scrolled into view. A row's toggle (or ←/→) folds its subtree.
 */
export function Waterfall(props: WaterfallProps) {
  const box = useRef<HTMLDivElement>(null);
  const [view, setView] = useState({ top: 0, height: 600 });
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
        {props.rows.slice(first, last).map((row, i) => (
          <SpanRow key={row.span.spanId} row={row} top={(first + i) * ROW_PX} {...props} />
        ))}
      </div>
    </div>
  );
}

function SpanRow(props: WaterfallProps & { row: Row; top: number }) {
  const { span, depth, offsetUs, children } = props.row;
  const id = span.spanId;
  const colour = serviceColour(props.hues.get(span.service));
  const open = !props.collapsed.has(id);
  const sections = props.critical.get(id);
  const at = (us: number): string => `${(us / props.totalUs) * 100}%`;
  const classes = [
    'span-row',
    span.status === 2 ? 'error' : '',
    props.withLogs.has(id) ? 'has-logs' : '',
    sections ? 'critical' : '',
    props.matches ? (props.matches.has(id) ? 'match' : 'dimmed') : '',
  ];
  return (
    <div
      role="treeitem"
      tabIndex={0}
      aria-selected={props.selected === id}
      aria-level={depth + 1}
      aria-expanded={children > 0 ? open : undefined}
      data-span={id}
      style={{ top: `${props.top}px` }}
      class={classes.filter(Boolean).join(' ')}
      onClick={() => {
        props.onSelect(id);
      }}
      onKeyDown={(event) => {
        if (event.key === 'Enter' || event.key === ' ') props.onSelect(id);
        else if (children > 0 && event.key === (open ? 'ArrowLeft' : 'ArrowRight')) {
          event.preventDefault();
          props.onToggle(id);
        }
      }}
    >
      <div class="span-label" style={{ paddingLeft: `${Math.min(depth, 30) * 12}px` }}>
        {children > 0 ? (
          <button
            type="button"
            class="fold"
            tabIndex={-1}
            aria-label={`${open ? 'collapse' : 'expand'} ${children} children`}
            onClick={(event) => {
              event.stopPropagation();
              props.onToggle(id);
            }}
          >
            {open ? '▾' : `▸`}
          </button>
        ) : (
          <span class="fold" />
        )}
        <span class="service-tag" style={{ background: colour }}>
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
            left: at(offsetUs),
            width: `${Math.max(0.3, ((span.durationMs * 1000) / props.totalUs) * 100)}%`,
            background: colour,
          }}
        />
        {sections?.map((s) => (
          <div
            key={s.startUs}
            class="critical-section"
            style={{ left: at(s.startUs - props.startUs), width: at(s.endUs - s.startUs) }}
          />
        ))}
        <span class="span-duration">{ms(span.durationMs)}</span>
      </div>
    </div>
  );
}

/** The critical path's sections grouped by span, for the rows to draw. */
export function sectionsBySpan(
  sections: readonly CriticalSection[],
): Map<string, CriticalSection[]> {
  const by = new Map<string, CriticalSection[]>();
  for (const s of sections) by.set(s.span.spanId, [...(by.get(s.span.spanId) ?? []), s]);
  return by;
}
