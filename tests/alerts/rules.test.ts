import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadRules, parseRules, RulesFileError } from '../../src/alerts/rules.ts';
import { repoRoot } from '../../tools/stack/paths.ts';

describe('alert rules', () => {
  it('loads the shipped default rules with the usual thresholds', () => {
    const rules = loadRules(join(repoRoot, 'config', 'rules.yaml'));
    const byName = Object.fromEntries(rules.map((rule) => [rule.name, rule]));
    expect(byName['error-rate-high']).toMatchObject({
      kind: 'error_rate',
      threshold: 0.05,
      window: 300_000,
      severity: 'high',
    });
    expect(byName['error-rate-critical']).toMatchObject({
      threshold: 0.25,
      for: 600_000,
      severity: 'critical',
    });
    expect(byName['latency-p95-slow']).toMatchObject({
      percentile: 95,
      threshold_ms: 500,
      severity: 'medium',
    });
    expect(byName['latency-p95-critical']).toMatchObject({
      threshold_ms: 1000,
      severity: 'critical',
    });
    expect(byName['service-silent']).toMatchObject({ kind: 'log_count', op: 'below' });
    expect(byName['log-error-rate-high']).toMatchObject({
      kind: 'error_rate',
      over: 'logs',
      threshold: 0.1,
      unless: 'error-rate-high',
    });
    expect(byName['error-pattern']).toMatchObject({
      kind: 'log_pattern',
      min_count: 3,
      lookback: 7 * 86_400_000,
      spike_factor: 10,
    });
  });

  it('takes baseline rules with their defaults; min_change is required, and three days at least', () => {
    const rule = { name: 'b', kind: 'baseline', metric: 'p95', min_change: 50, severity: 'low' };
    expect(parseRules({ rules: [rule] })[0]).toMatchObject({
      days: 7,
      deviations: 4,
      window: 600_000,
      min_requests: 20,
    });
    expect(() => parseRules({ rules: [{ ...rule, min_change: undefined }] })).toThrow(
      /rule "b" \(rules\[0\]\), field "min_change"/,
    );
    expect(() => parseRules({ rules: [{ ...rule, days: 2 }] })).toThrow(/field "days"/);
    expect(() => parseRules({ rules: [{ ...rule, metric: 'p90' }] })).toThrow(/field "metric"/);
  });

  it('takes log_pattern rules with their defaults, and refuses a spike factor of 1 or less', () => {
    const pattern = { name: 'p', kind: 'log_pattern', severity: 'medium' };
    expect(parseRules({ rules: [pattern] })[0]).toMatchObject({
      min_count: 3,
      lookback: 7 * 86_400_000,
      window: 300_000,
    });
    expect(() => parseRules({ rules: [{ ...pattern, spike_factor: 1 }] })).toThrow(
      /rule "p" \(rules\[0\]\), field "spike_factor"/,
    );
    expect(() => parseRules({ rules: [{ ...pattern, lookback: 'a week' }] })).toThrow(
      /rule "p" \(rules\[0\]\), field "lookback": must be a duration/,
    );
  });

  it('takes faulty_deployment rules with their defaults, on by default; a p95 factor above 1', () => {
    const shipped = loadRules(join(repoRoot, 'config', 'rules.yaml'));
    expect(shipped.find((rule) => rule.kind === 'faulty_deployment')).toMatchObject({
      name: 'faulty-deployment',
      window: 3_600_000,
      severity: 'high',
    });
    const deploy = { name: 'd', kind: 'faulty_deployment', severity: 'high' };
    expect(parseRules({ rules: [deploy] })[0]).toMatchObject({
      window: 3_600_000,
      min_requests: 100,
      min_age: 60_000,
      min_rate_increase: 0.01,
      p95_factor: 1.2,
      min_pattern_count: 5,
    });
    expect(() => parseRules({ rules: [{ ...deploy, p95_factor: 1 }] })).toThrow(
      /rule "d" \(rules\[0\]\), field "p95_factor"/,
    );
  });

  it('reports every problem, naming the rule and the field', () => {
    const attempt = () =>
      parseRules({
        rules: [
          {
            name: 'too-many-errors',
            kind: 'error_rate',
            threshold: 5,
            severity: 'high',
            window: '5 minutes',
          },
          {
            name: 'slow',
            kind: 'latency_percentile',
            percentile: 42,
            threshold_ms: 100,
            severity: 'urgent',
          },
          { kind: 'log_count', op: 'sideways', threshold: 1, severity: 'low' },
          { name: 'instant', kind: 'log_count', threshold: 1, severity: 'low', window: '0s' },
        ],
      });
    expect(attempt).toThrow(RulesFileError);
    expect(attempt).toThrow(/rule "instant" \(rules\[3\]\), field "window": must be at least 1s/);
    expect(attempt).toThrow(/rule "too-many-errors" \(rules\[0\]\), field "threshold"/);
    expect(attempt).toThrow(
      /rule "too-many-errors" \(rules\[0\]\), field "window": must be a duration like 30s/,
    );
    expect(attempt).toThrow(/rule "slow" \(rules\[1\]\), field "percentile"/);
    expect(attempt).toThrow(/rule "slow" \(rules\[1\]\), field "severity"/);
    expect(attempt).toThrow(/rule "#3" \(rules\[2\]\), field "name"/);
    expect(attempt).toThrow(/rule "#3" \(rules\[2\]\), field "op"/);
  });

  it('rejects unknown fields, duplicate names and a file without rules', () => {
    const rule = { name: 'a', kind: 'log_count', op: 'above', threshold: 1, severity: 'low' };
    expect(() => parseRules({ rules: [{ ...rule, treshold: 2 }] })).toThrow(
      /field "\(rule\)".*treshold/,
    );
    // Log records have no route: a log_count rule with one would silently ignore it.
    expect(() => parseRules({ rules: [{ ...rule, route: '/orders' }] })).toThrow(/route/);
    expect(() => parseRules({ rules: [rule, rule] })).toThrow(/"a": the name is used twice/);
    expect(() => parseRules({ alerts: [] })).toThrow(/top-level "rules:" list/);
    expect(() => parseRules({ rules: 'error_rate' })).toThrow(/top-level "rules:" list/);
  });

  it('counts failed requests by default, error log records with over: logs', () => {
    const [requests, logs] = parseRules({
      rules: [
        { name: 'req', kind: 'error_rate', threshold: 0.05, severity: 'high' },
        { name: 'logs', kind: 'error_rate', over: 'logs', threshold: 0.1, severity: 'high' },
      ],
    });
    expect(requests).toMatchObject({ over: 'requests', min_requests: 20 });
    expect(logs).toMatchObject({ over: 'logs', min_records: 20 });
    // Log records have no route, and `min_requests` counts requests.
    const overLogs = {
      name: 'l',
      kind: 'error_rate',
      over: 'logs',
      threshold: 0.1,
      severity: 'low',
    };
    expect(() => parseRules({ rules: [{ ...overLogs, route: '/x' }] })).toThrow(
      /rule "l" \(rules\[0\]\), field "\(rule\)": Unrecognized key: "route"/,
    );
    expect(() => parseRules({ rules: [{ ...overLogs, over: 'spans' }] })).toThrow(
      /rule "l" \(rules\[0\]\), field "over"/,
    );
  });

  it('takes "unless" naming another rule of the file, one level deep', () => {
    const rule = (name: string, unless?: string) => ({
      name,
      kind: 'error_rate',
      threshold: 0.1,
      severity: 'high',
      ...(unless === undefined ? {} : { unless }),
    });
    expect(parseRules({ rules: [rule('a'), rule('b', 'a')] })[1]?.unless).toBe('a');
    expect(() => parseRules({ rules: [rule('a', 'nope')] })).toThrow(
      /rule "a", field "unless": names no rule in this file/,
    );
    expect(() => parseRules({ rules: [rule('a', 'a')] })).toThrow(
      /rule "a", field "unless": names the rule itself/,
    );
    expect(() => parseRules({ rules: [rule('a'), rule('b', 'a'), rule('c', 'b')] })).toThrow(
      /rule "c", field "unless": names "b", which has an "unless" of its own/,
    );
  });

  it('takes an empty list: an instance that serves the API and evaluates nothing', () => {
    expect(parseRules({ rules: [] })).toEqual([]);
  });

  it('names the file when it cannot be read or parsed', () => {
    expect(() => loadRules('/nonexistent/rules.yaml')).toThrow(
      /cannot read rules file \/nonexistent\/rules.yaml/,
    );
  });
});
