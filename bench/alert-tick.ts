/**
 * `npm run bench -- alerts`: what one alert evaluation costs, then how the default rules do on
 * labelled incidents (bench/alert-incidents.ts). First part: what one alert evaluation costs at 10 and 100 services, with Lantern's default rules: the
 * Elasticsearch searches it makes (bounded by rule kinds, not services × rules) and its wall
 * time, against a control in the same run, one error-rate rule alone. Seeds an hour of logs and
 * spans per size on its own day of 2021 (lantern-*-bench-alerts indices, deleted afterwards);
 * alert state is not stored, so the local stack's alerts stay as they were.
 *   npm run bench -- alerts
 */
import { join } from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import { AlertEngine } from '../src/alerts/engine.ts';
import { DiscardingStore } from './discarding-store.ts';
import { loadRules, type AlertRule } from '../src/alerts/rules.ts';
import { fields } from '../src/contracts/fields.ts';
import { createElasticsearchClient } from '../src/storage/client.ts';
import { repoRoot } from '../tools/stack/paths.ts';
import type { StackSettings } from '../tools/stack/settings.ts';
import { stackUp } from '../tools/stack/stack.ts';
import { alertIncidents } from './alert-incidents.ts';
import { median, range } from './stats.ts';

const SIZES = [10, 100];
const TICKS = 7;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Ten days apart: the 7-day pattern lookback of one size never sees the other's data. */
const NOW = (index: number) => Date.parse('2021-07-01T12:00:00Z') + index * 10 * DAY;
const INDICES = ['lantern-logs-bench-alerts', 'lantern-spans-bench-alerts'];

export async function alertTick(settings: StackSettings): Promise<string> {
  const e = await stackUp(settings);
  const client = createElasticsearchClient({ url: e.elasticsearch, requestTimeoutMs: 120_000 });
  let searches = 0;
  client.diagnostic.on('request', (_error, event) => {
    if (event?.meta.request.params.path.endsWith('/_search')) searches += 1;
  });
  const defaults = loadRules(join(repoRoot, 'config', 'rules.yaml'));
  const control = defaults.filter((rule) => rule.name === 'error-rate-high');
  const lines = [
    `### One alert evaluation (${TICKS} ticks each, median and min–max ms; default rules: ${defaults.length})`,
    '',
    '| services | control: one error_rate rule, ms | default rules, ms | searches per tick (control / default) | default ÷ control |',
    '| --- | --- | --- | --- | --- |',
  ];
  try {
    for (const [index, services] of SIZES.entries()) {
      const now = NOW(index);
      await seed(client, services, now);
      const tick = async (rules: readonly AlertRule[]) => {
        const samples: number[] = [];
        let made = 0;
        for (let i = 0; i < TICKS; i += 1) {
          // A second later each time, as real ticks are: no answer comes from the request cache.
          const engine = new AlertEngine(client, new DiscardingStore(client), rules, {
            intervalMs: 1000,
            queryOffsetMs: 0,
            now: () => now + i * 1000,
            warn: (message) => {
              throw new Error(message);
            },
          });
          const before = searches;
          const started = performance.now();
          await engine.evaluateOnce();
          samples.push(performance.now() - started);
          made = searches - before;
        }
        return { samples, made };
      };
      const one = await tick(control);
      const all = await tick(defaults);
      const cell = (s: number[]) => `${median(s).toFixed(0)} (${range(s)})`;
      lines.push(
        `| ${services} | ${cell(one.samples)} | ${cell(all.samples)} | ${one.made} / ${all.made} | ${(median(all.samples) / median(one.samples)).toFixed(1)} |`,
      );
    }
    lines.push('', await alertIncidents(client));
  } finally {
    // Wildcards are refused for deletes (action.destructive_requires_name).
    await client.indices.delete({ index: INDICES, ignore_unavailable: true });
    await client.close();
  }
  return lines.join('\n');
}

/**
 * An hour before `now` of `services` services: a request every 2 s each (1% failed, weights 1–4),
 * a log record per request (errors for the failed ones, in a few patterns), and for a tenth of
 * the services a new error in the last five minutes.
 */
async function seed(client: Client, services: number, now: number): Promise<void> {
  const operations: object[] = [];
  const flush = async (): Promise<void> => {
    if (operations.length === 0) return;
    const result = await client.bulk({ operations: operations.splice(0) });
    if (result.errors) throw new Error('seeding the alert benchmark failed');
  };
  for (let s = 0; s < services; s += 1) {
    const service = `bench-alerts-${s}`;
    for (let j = 0, at = now - HOUR; at < now; j += 1, at += 2000) {
      const failed = j % 100 === 0;
      const newError = s % 10 === 0 && at > now - 5 * 60_000 && j % 20 === 0;
      const traceId = `${s.toString(16).padStart(8, '0')}${j.toString(16).padStart(24, '0')}`;
      const error = failed || newError;
      const message = newError
        ? `ledger ${j} rejected by upstream ${s}`
        : failed
          ? `payment declined for order ${j}`
          : `order ${j} ok`;
      operations.push(
        { index: { _index: INDICES[0] } },
        {
          [fields.timestamp]: new Date(at).toISOString(),
          [fields.traceId]: traceId,
          [fields.spanId]: j.toString(16).padStart(16, '0'),
          [fields.log.severityNumber]: error ? 17 : 9,
          [fields.log.severityText]: error ? 'ERROR' : 'INFO',
          [fields.log.body]: message,
          [fields.serviceName]: service,
        },
        { index: { _index: INDICES[1] } },
        {
          [fields.timestamp]: new Date(at).toISOString(),
          [fields.traceId]: traceId,
          [fields.spanId]: j.toString(16).padStart(16, '0'),
          [fields.span.kind]: 'SPAN_KIND_SERVER',
          [fields.span.status]: failed ? 2 : 0,
          [fields.span.duration]: 1000 + ((j * 104_729) % 400_000),
          [fields.span.httpRoute]: `/route-${j % 5}`,
          [fields.span.samplingWeight]: 1 + (j % 4),
          [fields.serviceName]: service,
        },
      );
      if (operations.length >= 20_000) await flush();
    }
  }
  await flush();
  await client.indices.refresh({ index: INDICES });
}
