import type { Client } from '@elastic/elasticsearch';
import { describe, expect, it } from 'vitest';
import { observe } from '../../src/alerts/observe.ts';
import { parseRulesFile, type AlertRule } from '../../src/alerts/rules.ts';
import type { LogStats, MessageCount } from '../../src/contracts/log-stats.ts';
import type { RequestStats } from '../../src/contracts/request-stats.ts';
import type { TimeRange } from '../../src/contracts/time-range.ts';
import type { EvaluationReader } from '../../src/storage/evaluation-reader.ts';
import type { LogHistoryQuery, LogStatsQuery } from '../../src/storage/queries/log-stats.ts';
import type { RequestQuery } from '../../src/storage/queries/request-stats.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const NOW = Date.parse('2026-12-01T12:00:00Z');
/** Every read goes through the reader below; a search of its own would fail the test. */
const search = () => Promise.reject(new Error('searched Elasticsearch directly'));
const noClient = { search } as unknown as Client;

/** `failed` spans of weight 1 and `ok` spans of weight `okWeight`, the first one at `since`. */
function requests(
  key: string,
  failed: number,
  ok: number,
  okWeight = 1,
  since: number | null = null,
): RequestStats {
  return {
    key,
    spans: failed + ok,
    requests: failed + ok * okWeight,
    errors: failed,
    weightSquares: failed + ok * okWeight * okWeight,
    errorWeightSquares: failed,
    since,
    slow: 0,
    latency: [],
  };
}

/** A reader that answers from functions of the query, as Elasticsearch would. */
function reader(answers: {
  requests?: (query: RequestQuery) => RequestStats[];
  logs?: (query: LogStatsQuery) => LogStats[];
  logHistories?: (query: LogHistoryQuery) => Map<string, LogStats[]>;
  errorMessages?: (range: TimeRange) => Map<string, MessageCount[]>;
}): EvaluationReader {
  return {
    requests: (query) => Promise.resolve(answers.requests?.(query) ?? []),
    logs: (query) => Promise.resolve(answers.logs?.(query) ?? []),
    logHistories: (query) => Promise.resolve(answers.logHistories?.(query) ?? new Map()),
    exemplars: () => Promise.resolve([]),
    errorMessages: (range) => Promise.resolve(answers.errorMessages?.(range) ?? new Map()),
    deletions: () => Promise.resolve([]),
  };
}

const rulesOf = (document: unknown): AlertRule[] => parseRulesFile(document).rules;
const range = (windowMs: number): TimeRange => ({ from: NOW - windowMs, to: NOW });

describe('error-rate rules ask for evidence beyond chance', () => {
  const [rule] = rulesOf({
    rules: [{ name: 'errors', kind: 'error_rate', threshold: 0.05, severity: 'high' }],
  });
  if (rule === undefined) throw new Error('no rule');

  it('a chance cluster (4 of 60 requests, 6.7%) breaches the threshold, not its bound: inactive', async () => {
    const read = reader({ requests: () => [requests('quiet', 4, 56)] });
    const [seen] = await observe(noClient, rule, range(5 * MINUTE), read);
    expect(seen?.value).toBeCloseTo(4 / 60, 9);
    expect(seen?.active).toBe(false);
    expect(Number.parseFloat(seen?.details?.lower_bound ?? '')).toBeLessThan(5);
  });

  it('the same share on six kept OK spans of weight 10 is inactive too', async () => {
    const read = reader({ requests: () => [requests('sampled', 4, 6, 10)] });
    const [seen] = await observe(noClient, rule, range(5 * MINUTE), read);
    expect(seen?.value).toBeGreaterThan(0.05);
    expect(seen?.active).toBe(false);
  });

  it('a 25% burst on 60 requests is active, its bound beside the value', async () => {
    const read = reader({ requests: () => [requests('burst', 15, 45)] });
    const [seen] = await observe(noClient, rule, range(5 * MINUTE), read);
    expect(seen?.active).toBe(true);
    const bound = Number.parseFloat(seen?.details?.lower_bound ?? '');
    expect(bound).toBeGreaterThan(5);
    expect(bound).toBeLessThan(25);
  });

  it('so do log error rates: 3 of 25 records (12%) inactive, 30 of 100 active', async () => {
    const [logRule] = rulesOf({
      rules: [
        { name: 'log-errors', kind: 'error_rate', over: 'logs', threshold: 0.1, severity: 'high' },
      ],
    });
    if (logRule === undefined) throw new Error('no rule');
    const read = reader({
      logs: () => [
        { key: 'few', logs: 25, errors: 3, since: null },
        { key: 'many', logs: 100, errors: 30, since: null },
      ],
    });
    const seen = await observe(noClient, logRule, range(5 * MINUTE), read);
    expect(seen.map((s) => [s.service, s.active])).toEqual([
      ['few', false],
      ['many', true],
    ]);
    expect(seen[1]?.details?.lower_bound).toMatch(/^2\d\.\d%$/);
  });
});

describe('burn-rate windows count the time a service has been sending', () => {
  const burns = rulesOf({
    rules: [],
    slos: [{ name: 'availability', kind: 'availability', objective: 0.98 }],
  });
  const named = (severity: string) => {
    const rule = burns.find((r) => r.name === `availability-burn-${severity}`);
    if (rule === undefined) throw new Error(severity);
    return rule;
  };
  // 30% failing: 15 times the budget's pace, for every window the service has been sending in.
  const failing = (since: number) =>
    reader({ requests: () => [requests('svc', 300, 700, 1, since)] });

  it('a ten-minute-old service failing 30% does not fire the 3-day or 6-hour alert', async () => {
    const young = failing(NOW - 10 * MINUTE);
    const [medium] = await observe(noClient, named('medium'), range(3 * DAY), young);
    const [high] = await observe(noClient, named('high'), range(6 * HOUR), young);
    // Ten minutes of the six hours' worth of budget its 3-day window is held to.
    expect(medium?.value).toBeCloseTo(15 * (10 / (6 * 60)), 6);
    expect(medium?.active).toBe(false);
    expect(high?.active).toBe(false);
    expect(medium?.details?.window_coverage).toBe('0.23% of the window');
  });

  it('the same failures on a service older than the windows fire them all', async () => {
    const old = failing(NOW - 4 * DAY);
    for (const [severity, windowMs] of [
      ['medium', 3 * DAY],
      ['high', 6 * HOUR],
      ['critical', HOUR],
    ] as const) {
      const [seen] = await observe(noClient, named(severity), range(windowMs), old);
      expect([severity, seen?.active]).toEqual([severity, true]);
      expect(seen?.value).toBeCloseTo(15, 9);
    }
  });

  it('a service whose first span in the window comes a few gaps after it opens fills the window', async () => {
    // 1,000 spans over an hour: 3.6 s apart; the first 20 s in is chance, not a young service.
    const [steady] = await observe(
      noClient,
      named('critical'),
      range(HOUR),
      failing(NOW - HOUR + 20_000),
    );
    expect(steady?.value).toBeCloseTo(15, 9);
    expect(steady?.details?.window_coverage).toBeUndefined();
    // Two minutes in is 33 gaps: it began then. Older than the 5-minute short window, it is
    // judged on all it has sent.
    const [late] = await observe(
      noClient,
      named('critical'),
      range(HOUR),
      failing(NOW - HOUR + 120_000),
    );
    expect(late?.details?.window_coverage).toBe('97% of the window');
    expect(late?.value).toBeCloseTo(15, 9);
    // Three minutes old: three fifths of the short window's worth.
    const [younger] = await observe(
      noClient,
      named('critical'),
      range(HOUR),
      failing(NOW - 3 * MINUTE),
    );
    expect(younger?.value).toBeCloseTo(15 * (3 / 5), 9);
  });

  it('a service older than the short window is judged on all it has sent: 3% for 7 hours, 3-day alert', async () => {
    // 1.5 times the budget's pace (2% allowed) for all its 7 hours: the same in both windows.
    const leaking = reader({ requests: () => [requests('svc', 30, 970, 1, NOW - 7 * HOUR)] });
    const [medium] = await observe(noClient, named('medium'), range(3 * DAY), leaking);
    expect(medium?.value).toBeCloseTo(1.5, 9);
    expect(medium?.active).toBe(true);
    expect(medium?.details?.window_coverage).toBe('9.7% of the window');
    // Three hours in, it has spent 4.5 of the six hours' worth the alert asks for.
    const younger = reader({ requests: () => [requests('svc', 30, 970, 1, NOW - 3 * HOUR)] });
    const [early] = await observe(noClient, named('medium'), range(3 * DAY), younger);
    expect(early?.value).toBeCloseTo(1.5 * (3 / 6), 9);
    expect(early?.active).toBe(false);
  });

  it('a young service that has spent what the alert stands for fires it: 1 h of 100% failing, 1-hour alert', async () => {
    const read = reader({ requests: () => [requests('svc', 1000, 0, 1, NOW - HOUR + 1000)] });
    const [critical] = await observe(noClient, named('critical'), range(HOUR), read);
    expect(critical?.active).toBe(true);
  });
});

describe('error patterns: first seen on a young service, spikes by share', () => {
  const [rule] = rulesOf({
    rules: [
      {
        name: 'patterns',
        kind: 'log_pattern',
        lookback: '1d',
        spike_factor: 10,
        severity: 'medium',
      },
    ],
  });
  if (rule === undefined) throw new Error('no rule');
  const window = range(5 * MINUTE);
  const message = (text: string, count: number, firstSeen: number): MessageCount => ({
    message: text,
    count,
    firstSeen,
    exampleTraceId: null,
  });

  /**
   * A service that began at `since`, logging `perWindow` records every five minutes before the
   * window and `nowRecords` in it; `before`/`now` are its error messages in the lookback and now.
   */
  function service(options: {
    since: number;
    perWindow: number;
    nowRecords: number;
    before: MessageCount[];
    now: MessageCount[];
  }): EvaluationReader {
    return reader({
      errorMessages: (r) => new Map([['svc', r.to === window.to ? options.now : options.before]]),
      logs: () => {
        const errors = options.now.reduce((sum, m) => sum + m.count, 0);
        return [{ key: 'svc', logs: options.nowRecords, errors, since: window.from }];
      },
      logHistories: (query) => {
        const rows: LogStats[] = [];
        for (let at = query.range.from; at < query.range.to; at += query.intervalMs) {
          if (at + query.intervalMs <= options.since) continue;
          rows.push({
            key: String(at),
            logs: options.perWindow,
            errors: 0,
            since: Math.max(at, options.since),
          });
        }
        return new Map(query.services.includes('svc') ? [['svc', rows]] : []);
      },
    });
  }

  it('a pattern new on a service younger than the lookback is not paged; on an older one it is', async () => {
    const now = [message('card 1 declined', 5, NOW - MINUTE)];
    const young = service({
      since: NOW - 2 * HOUR,
      perWindow: 100,
      nowRecords: 100,
      before: [],
      now,
    });
    expect(await observe(noClient, rule, window, young)).toEqual([]);
    const old = service({ since: NOW - 2 * DAY, perWindow: 100, nowRecords: 100, before: [], now });
    const [seen] = await observe(noClient, rule, window, old);
    expect(seen?.labels.pattern_change).toBe('new');
  });

  it('a tenfold traffic ramp, the pattern keeping its share, is no spike', async () => {
    // Before: 2 per 5 minutes among 100 records (2%); now 20 among 1000 (2%).
    const since = NOW - 2 * DAY;
    const before = [message('db timeout 5', 2 * 288, since)];
    const now = [message('db timeout 7', 20, window.from)];
    const ramp = service({ since, perWindow: 100, nowRecords: 1000, before, now });
    expect(await observe(noClient, rule, window, ramp)).toEqual([]);
  });

  it('a share ten times its past, beyond chance, is a spike; three errors where 0.2 were expected are not', async () => {
    const since = NOW - 2 * DAY;
    const before = [message('db timeout 5', 2 * 288, since)];
    const spike = service({
      since,
      perWindow: 100,
      nowRecords: 100,
      before,
      now: [message('db timeout 7', 40, window.from)],
    });
    const [seen] = await observe(noClient, rule, window, spike);
    expect(seen?.labels.pattern_change).toBe('spike');
    expect(seen?.details?.baseline).toBe('2.00');
    // A rare error (one in 500 records) logged 3 times among 100: 15 times its share, by chance.
    const rare = service({
      since,
      perWindow: 100,
      nowRecords: 100,
      before: [message('cache miss 1', Math.round((2 * 288) / 10), since)],
      now: [message('cache miss 2', 3, window.from)],
    });
    expect(await observe(noClient, rule, window, rare)).toEqual([]);
  });
});
