import { useEffect, useRef } from 'preact/hooks';
import { get } from '../api.ts';
import type { VersionFigures } from '../../contracts/api/deployments.ts';
import { count, ms, multiple, percent, time } from '../format.ts';
import { useData } from '../use-data.ts';
import { Problem } from './problem.tsx';

/** A figure of the comparison: how it reads off a side, how it is written, how it changed. */
interface Figure {
  readonly name: string;
  readonly value: (side: VersionFigures) => number | null;
  readonly format: (value: number | null) => string;
  readonly change: (before: number, after: number) => string;
}

const ratio = (before: number, after: number): string =>
  before > 0 ? multiple(after / before) : '–';

const FIGURES: readonly Figure[] = [
  {
    name: 'requests/s',
    value: (s) => s.requestsPerSecond,
    format: (v) => (v === null ? '–' : v.toFixed(2)),
    change: ratio,
  },
  {
    name: 'error rate',
    value: (s) => s.errorRate,
    format: percent,
    // Percentage points: a rise from 0% has no ratio.
    change: (before, after) => {
      const points = Number(((after - before) * 100).toPrecision(3));
      return `${points >= 0 ? '+' : ''}${String(points)} pts`;
    },
  },
  { name: 'p95 latency', value: (s) => s.latencyMs.p95, format: ms, change: ratio },
];

const window = (side: VersionFigures): string =>
  `${side.version}: ${time(side.from)}–${time(side.to)}, ${count(side.requests)} requests`;

/**
 * One deploy's before/after (GET /api/v1/deployments/comparison): the previous version's
 * requests in the window before the deploy against the new version's after it, over windows of
 * equal length; the error patterns that appeared with it; and the verdict with its evidence, as
 * the faulty-deployment alert judges it. Opened from the deploy list or a `?deploy=` link (what
 * that alert links), so it scrolls itself into view.
 */
export function DeployComparison(props: { service: string; version: string; closeHref: string }) {
  const { service, version } = props;
  const loaded = useData(
    () => get('/api/v1/deployments/comparison', { service, version }),
    `${service}:${version}`,
  );
  const box = useRef<HTMLElement>(null);
  useEffect(() => {
    if (loaded.data) box.current?.scrollIntoView({ block: 'nearest' });
  }, [loaded.data]);
  const c = loaded.data;
  return (
    <section class="deploy-comparison" ref={box} aria-label="deploy comparison">
      <h3>
        Deploy of <span class="mono">{version}</span>
        {c?.previousVersion ? (
          <>
            {' '}
            against <span class="mono">{c.previousVersion}</span>
          </>
        ) : null}
        {c ? <span class={`verdict ${c.verdict}`}>{c.verdict}</span> : null}
        <a class="close" href={props.closeHref}>
          close
        </a>
      </h3>
      <Problem error={loaded.error} />
      {c && (
        <>
          <p class="muted">
            deployed at {time(c.at)} ·{' '}
            {[c.before, c.after].flatMap((s) => (s ? [window(s)] : [])).join(' · ')}
          </p>
          <table class="grid comparison" aria-label="before and after">
            <thead>
              <tr>
                <th />
                <th class="num">before: {c.before?.version ?? 'none'}</th>
                <th class="num">after: {c.after?.version ?? version}</th>
                <th class="num">change</th>
              </tr>
            </thead>
            <tbody>
              {FIGURES.map((f) => {
                const before = c.before ? f.value(c.before) : null;
                const after = c.after ? f.value(c.after) : null;
                return (
                  <tr key={f.name} data-figure={f.name}>
                    <td>{f.name}</td>
                    <td class="num">{f.format(before)}</td>
                    <td class="num">{f.format(after)}</td>
                    <td class="num">
                      {before === null || after === null ? '–' : f.change(before, after)}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <ul class="evidence">
            {c.evidence.map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
          <h4>New error patterns</h4>
          {c.newErrorPatterns.length === 0 ? (
            <p class="muted">None: every error pattern since the deploy was logged before it.</p>
          ) : (
            <table class="grid" aria-label="new error patterns">
              <tbody>
                {c.newErrorPatterns.map((p) => (
                  <tr key={p.pattern}>
                    <td class="num">{count(p.count)}</td>
                    <td>{p.pattern}</td>
                    <td class="muted">{p.example}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </section>
  );
}
