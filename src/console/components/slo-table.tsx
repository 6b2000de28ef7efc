import { get } from '../api.ts';
import { multiple, percent } from '../format.ts';
import { useData } from '../use-data.ts';

const windowName = (ms: number): string =>
  ms >= 86_400_000
    ? `${ms / 86_400_000}d`
    : ms >= 3_600_000
      ? `${ms / 3_600_000}h`
      : `${ms / 60_000}m`;

/**
 * The service's SLOs: the SLI over the period against the objective, the error budget left, the
 * burn rate over each alert window, and the burn alerts that are active. Nothing without SLOs.
 */
export function SloTable({ service }: { service: string }) {
  const loaded = useData(() => get('/api/v1/slos'), service, 10_000);
  const mine = (loaded.data?.slos ?? []).filter((s) => s.service === service);
  if (mine.length === 0) return null;
  return (
    <>
      <h2>SLOs</h2>
      <table aria-label="SLOs">
        <thead>
          <tr>
            <th>SLO</th>
            <th>SLI / objective</th>
            <th>budget left</th>
            <th>burn rate</th>
            <th>burn alerts</th>
          </tr>
        </thead>
        <tbody>
          {mine.map((s) => (
            <tr key={s.slo} data-slo={s.slo}>
              <td>
                {s.slo}{' '}
                <span class="muted">
                  {s.kind}
                  {s.route ? ` ${s.route}` : ''}
                </span>
              </td>
              <td>
                {percent(s.sli)} / {percent(s.objective)}
              </td>
              <td class={s.budgetRemaining !== null && s.budgetRemaining < 0 ? 'bad' : ''}>
                {percent(s.budgetRemaining)}
              </td>
              <td>
                {s.burnRates
                  .map((b) => `${windowName(b.windowMs)} ${multiple(b.burnRate)}`)
                  .join(' · ')}
              </td>
              <td>
                {s.alerts
                  .filter((a) => a.active)
                  .map((a) => a.severity)
                  .join(', ') || 'none'}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
