import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { AlertStore } from '../../src/storage/alert-store.ts';
import { logHistories, logStats } from '../../src/storage/queries/log-stats.ts';
import { loadRules, type AlertRule } from '../../src/alerts/rules.ts';
import { clockedEngine } from '../support/clocked-engine.ts';
import { es } from '../../tools/harness/stores.ts';
import { repoRoot } from '../../tools/stack/paths.ts';
import { bulkLoad, logDocument, type SeedLog } from '../support/seed.ts';

/**
 * New and spiking error patterns against the real Elasticsearch, through the state machine:
 * an hour of known errors among steady records, then five minutes with a new pattern, a spike
 * of a rare one, the steady one as usual, and a new one logged too few times to count. A busier
 * service logs a new pattern as often, but among so many records that it is under the rule's
 * `min_share`. A service two minutes old logs its errors for the first time (first seen, not
 * new), and one whose traffic ramps tenfold logs its usual error ten times as often (the same
 * share: no spike).
 */
const run = Date.now().toString(36);
const SERVICE = `patterns-${run}`;
const BUSY = `patterns-busy-${run}`;
const YOUNG = `patterns-young-${run}`;
const RAMP = `patterns-ramp-${run}`;
const MINUTE = 60_000;
const T0 = Math.floor(Date.now() / MINUTE) * MINUTE - 30 * MINUTE;

const logs: SeedLog[] = [];
let n = 0;
const log = (at: number, message: string, service = SERVICE, severityNumber = 17): void => {
  n += 1;
  logs.push({
    service,
    at,
    severityNumber,
    message,
    traceId: n.toString(16).padStart(32, 'a'),
    spanId: n.toString(16).padStart(16, '0'),
  });
};
// The hour before and the ten minutes after: a record every 5 s; before, a steady error every 30 s, a rare one every 5 minutes.
for (let at = T0 - 60 * MINUTE + 1000; at < T0 + 10 * MINUTE; at += 5000)
  log(at, `order ${at % 1000} ok`, SERVICE, 9);
for (let at = T0 - 60 * MINUTE + 1000; at < T0; at += 30_000)
  log(at, `db timeout after ${at % 900} ms`);
for (let at = T0 - 60 * MINUTE + 2000; at < T0; at += 5 * MINUTE)
  log(at, `cache miss for key k${at % 97}`);
// The five minutes: the steady one as usual (10), the rare one 30 times (20 times its share), a
// new one 4 times, another new one only twice.
for (let i = 0; i < 10; i += 1) log(T0 + i * 30_000 + 1000, `db timeout after ${i * 7} ms`);
for (let i = 0; i < 30; i += 1) log(T0 + i * 10_000 + 3000, `cache miss for key k${i}`);
const firstNew = T0 + 61_000;
for (let i = 0; i < 4; i += 1)
  log(firstNew + i * 40_000, `card ${4000 + i} declined by issuer ${i}`);
for (let i = 0; i < 2; i += 1) log(T0 + 90_000 + i * 1000, `quota exceeded for tenant t${i}`);
// The busy service: an hour of steady errors, then the new pattern 4 times among 400 records (1%).
for (let at = T0 - 60 * MINUTE + 1000; at < T0; at += 30_000)
  log(at, `db timeout after ${at % 900} ms`, BUSY);
for (let i = 0; i < 400; i += 1) log(T0 + i * 700, `order ${i} ok`, BUSY, 9);
for (let i = 0; i < 4; i += 1)
  log(firstNew + i * 40_000, `card ${4000 + i} declined by issuer ${i}`, BUSY);
// The young service: records from two minutes before, its first errors in the five minutes.
for (let at = T0 - 2 * MINUTE; at < T0 + 5 * MINUTE; at += 5000)
  log(at, `job ${at % 1000} done`, YOUNG, 9);
for (let i = 0; i < 5; i += 1) log(T0 + i * 50_000 + 4000, `disk full on volume ${i}`, YOUNG);
// The ramp: a record every 5 s and an error every 30 s, then ten times as many of both.
for (let at = T0 - 60 * MINUTE + 1000; at < T0 + 5 * MINUTE; at += at < T0 ? 5000 : 500)
  log(at, `order ${at % 1000} ok`, RAMP, 9);
for (let at = T0 - 60 * MINUTE + 2500; at < T0 + 5 * MINUTE; at += at < T0 ? 30_000 : 3000)
  log(at, `db timeout after ${at % 900} ms`, RAMP);
// The five minutes after: the new pattern again (now known), nothing else.
for (let i = 0; i < 4; i += 1)
  log(T0 + 5 * MINUTE + 10_000 + i * 30_000, `card ${5000 + i} declined by issuer ${i}`);

const defaults = loadRules(join(repoRoot, 'config', 'rules.yaml'));
const byDefault = defaults.find((rule) => rule.kind === 'log_pattern');
if (byDefault?.kind !== 'log_pattern') throw new Error('config/rules.yaml has no log_pattern rule');
// The default rule, for this service, with an hour of lookback (the seed has no more).
const rule: AlertRule = {
  ...byDefault,
  name: `error-pattern-${run}`,
  service: SERVICE,
  lookback: 60 * MINUTE,
  keep_firing_for: 0,
};
const { evaluateAt } = clockedEngine([
  rule,
  ...[BUSY, YOUNG, RAMP].map((service) => ({ ...rule, name: `${rule.name}-${service}`, service })),
]);

beforeAll(async () => {
  await bulkLoad(
    `lantern-logs-seed-patterns-${run.replace(/[^a-z0-9]/g, '')}`,
    logs.map(logDocument),
  );
}, 120_000);

describe('the default log_pattern rule', () => {
  it('fires for the new pattern and the spike, not for the usual error, one seen twice, one under 2% of a busy service, a young service or a ramp', async () => {
    const fired = await evaluateAt(T0 + 5 * MINUTE);
    expect(fired.map((t) => t.to)).toEqual(['firing', 'firing']);
    const alerts = (await new AlertStore(es).active()).filter((a) => a.rule === rule.name);
    const byChange = new Map(alerts.map((a) => [a.labels.pattern_change ?? '', a]));
    expect([...byChange.keys()].sort()).toEqual(['new', 'spike']);

    const fresh = byChange.get('new');
    expect(fresh?.labels.pattern).toBe('card <id> declined by issuer <id>');
    expect(fresh?.value).toBe(4);
    expect(fresh?.annotations.first_seen).toBe(new Date(firstNew).toISOString());
    expect(fresh?.annotations.example).toMatch(/^card 400\d declined by issuer \d$/);
    expect(fresh?.exemplarTraceIds).toHaveLength(3);
    expect(fresh?.summary).toBe(
      `${SERVICE}: new error pattern "card <id> declined by issuer <id>", 4 times in 5 minutes (first at ${new Date(firstNew).toISOString()})`,
    );

    const spike = byChange.get('spike');
    expect(spike?.labels.pattern).toBe('cache miss for key <id>');
    expect(spike?.value).toBe(30);
    // 12 of the hour's 852 records: 1.49 expected among the window's 106.
    expect(spike?.annotations.baseline).toBe('1.49');
  });

  it('does not fire again for a pattern once it is known', async () => {
    // Five minutes on, the card errors come again: known now (they are in the hour before).
    const later = await evaluateAt(T0 + 10 * MINUTE);
    expect(later.map((t) => [t.from, t.to])).toEqual([
      ['firing', 'resolved'],
      ['firing', 'resolved'],
    ]);
    expect((await evaluateAt(T0 + 10 * MINUTE + 1000)).length).toBe(0);
  });

  it("reads every candidate's lookback in one search, as each service's own would", async () => {
    const range = { from: T0 - 60 * MINUTE, to: T0 + 5 * MINUTE };
    const intervalMs = 5 * MINUTE;
    const services = [SERVICE, YOUNG, RAMP];
    const together = await logHistories(es, { range, services, intervalMs });
    for (const service of services) {
      const alone = await logStats(es, { range, service, groupBy: { intervalMs } });
      expect(together.get(service)).toEqual(alone.filter((b) => b.logs > 0));
    }
    // The young service's two minutes before T0 and its five after: two buckets of records.
    expect(together.get(YOUNG)?.map((b) => Number(b.key))).toEqual([T0 - 5 * MINUTE, T0]);
  });
});
