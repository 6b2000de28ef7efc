import type { RequestStats } from '../contracts/request-stats.ts';
import type { AlertStore } from '../storage/alert-store.ts';
import type { Client } from '../storage/client.ts';
import { evaluationReader, type EvaluationReader } from '../storage/evaluation-reader.ts';
import {
  badRequests,
  burnAlertsOf,
  burnRate,
  burnRateRules,
  sendingSince,
  windowCoverage,
  type Slo,
} from './slo.ts';
import type * as Contract from '../contracts/api/slos.ts';

/** One SLO for one service, as GET /api/v1/slos returns it. */
export type SloStatus = Contract.SloStatus;

/**
 * Every SLO's figures per service, up to `now`: the SLI and the budget over the period, the
 * burn rate over each alert window, and which burn alerts are active (from the alert store).
 * Read through the evaluation reader, as the burn-rate rules are: the same queries, and a window
 * two SLOs share is read once.
 */
export async function sloStatuses(
  client: Client,
  store: AlertStore,
  slos: readonly Slo[],
  now: number,
): Promise<SloStatus[]> {
  if (slos.length === 0) return [];
  const active = new Set(
    (await store.list({ states: ['pending', 'firing'], limit: 10_000 })).map(
      (alert) => `${alert.rule}\u0000${alert.service ?? ''}`,
    ),
  );
  const read = evaluationReader(client);
  const perSlo = await Promise.all(slos.map((slo) => statusesOf(read, slo, now, active)));
  return perSlo.flat();
}

async function statusesOf(
  read: EvaluationReader,
  slo: Slo,
  now: number,
  active: ReadonlySet<string>,
): Promise<SloStatus[]> {
  const alerts = burnAlertsOf(slo);
  const windows = [
    ...new Set(alerts.flatMap((alert) => [alert.short_window, alert.long_window])),
  ].sort((a, b) => a - b);
  const over = (ms: number): Promise<Map<string, RequestStats>> =>
    read
      .requests({
        range: { from: now - ms, to: now },
        service: slo.service,
        route: slo.route,
        groupBy: 'service',
        slowerThanMs: slo.threshold_ms,
      })
      .then((stats) => new Map(stats.map((group) => [group.key, group])));
  const [period, ...byWindow] = await Promise.all([slo.period, ...windows].map(over));
  const rules = burnRateRules(slo);
  return [...(period ?? new Map<string, RequestStats>()).values()].map((stats) => {
    const bad = badRequests(slo, stats);
    const errorBudget = 1 - slo.objective;
    const spent = stats.requests > 0 ? bad / stats.requests / errorBudget : undefined;
    return {
      slo: slo.name,
      service: stats.key,
      route: slo.route ?? null,
      kind: slo.kind,
      objective: slo.objective,
      periodMs: slo.period,
      requests: stats.requests,
      badRequests: bad,
      sli: stats.requests > 0 ? 1 - bad / stats.requests : null,
      errorBudget,
      budgetRemaining: spent === undefined ? null : 1 - spent,
      // Scaled by the part of each window the service fills (an alert holds its long window to
      // at least its short one: windowCoverage).
      burnRates: windows.map((windowMs, i) => ({
        windowMs,
        burnRate:
          burnRate(slo, byWindow[i]?.get(stats.key)) *
          windowCoverage(sendingSince(stats, { from: now - slo.period, to: now }), {
            from: now - windowMs,
            to: now,
          }),
      })),
      alerts: rules.map((rule) => ({
        rule: rule.name,
        severity: rule.severity,
        burnRate: rule.burn_rate,
        longWindowMs: rule.long_window,
        shortWindowMs: rule.short_window,
        active: active.has(`${rule.name}\u0000${stats.key}`),
      })),
    };
  });
}
