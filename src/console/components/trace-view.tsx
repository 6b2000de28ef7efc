import type { ComponentChildren } from 'preact';
import { useMemo, useState } from 'preact/hooks';
import { ms } from '../format.ts';
import type { Span } from '../../contracts/api/telemetry.ts';
import { criticalPath } from '../trace/critical-path.ts';
import { rowsOf, unfolded } from '../trace/rows.ts';
import { serviceSummary } from '../trace/service-summary.ts';
import { isEmptyQuery, matchingSpans, type SpanQuery } from '../trace/span-filter.ts';
import { spanTree } from '../trace/span-tree.ts';
import { CriticalPathShare, ServiceSummary, SpanSearch } from './trace-panels.tsx';
import { huesOf, sectionsBySpan, Waterfall } from './waterfall.tsx';

/**
 * A trace's spans: the waterfall with its critical path, the span search, folding of
 * subtrees, and per service the critical path's time and a summary. Everything derived from
 * the spans is computed once per trace (tree, path, summary) or once per query, never per row.
 */
export function TraceView(props: {
  spans: readonly Span[];
  logCount: number;
  selected: string | undefined;
  withLogs: ReadonlySet<string>;
  onSelect: (spanId: string) => void;
  children: ComponentChildren;
}) {
  const { spans } = props;
  const derived = useMemo(() => {
    const tree = spanTree(spans);
    const path = criticalPath(tree);
    return { tree, path, ...rowsOf(tree), critical: sectionsBySpan(path) };
  }, [spans]);
  const hues = useMemo(() => huesOf(derived.rows.map((r) => r.span)), [derived]);
  const summary = useMemo(() => serviceSummary(derived.tree), [derived]);
  const [query, setQuery] = useState<SpanQuery>({ text: '', service: '' });
  const [onlyMatches, setOnlyMatches] = useState(false);
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(new Set());
  const matches = useMemo(
    () => (isEmptyQuery(query) ? undefined : matchingSpans(spans, query)),
    [spans, query],
  );
  const shown = useMemo(() => {
    if (matches && onlyMatches) return derived.rows.filter((r) => matches.has(r.span.spanId));
    return unfolded(derived.rows, collapsed);
  }, [derived, collapsed, matches, onlyMatches]);
  const toggle = (spanId: string): void => {
    const next = new Set(collapsed);
    if (!next.delete(spanId)) next.add(spanId);
    setCollapsed(next);
  };
  return (
    <>
      <p class="muted">
        {derived.tree.spans.length} spans · {summary.length} services · {ms(derived.totalUs / 1000)}{' '}
        · {props.logCount} log records
        {derived.tree.orphans.size > 0
          ? ` · ${derived.tree.orphans.size} without their parent (or in a parent cycle), shown under the root`
          : ''}
      </p>
      <SpanSearch
        query={query}
        services={summary.map((s) => s.service)}
        matches={matches?.size}
        onlyMatches={onlyMatches}
        onQuery={setQuery}
        onOnlyMatches={setOnlyMatches}
      />
      <div class="trace-layout">
        <Waterfall
          rows={shown}
          hues={hues}
          startUs={derived.startUs}
          totalUs={derived.totalUs}
          selected={props.selected}
          withLogs={props.withLogs}
          matches={matches}
          critical={derived.critical}
          collapsed={collapsed}
          onSelect={props.onSelect}
          onToggle={toggle}
        />
        {props.children}
      </div>
      <div class="trace-tables">
        <CriticalPathShare sections={derived.path} hues={hues} />
        <ServiceSummary shares={summary} />
      </div>
    </>
  );
}
