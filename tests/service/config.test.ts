import { describe, expect, it } from 'vitest';
import { elasticsearchSettings, loadServiceConfig, loggable } from '../../src/service/config.ts';

describe("the analysis service's settings", () => {
  it('reads durations like the rules do, with defaults when unset or empty', () => {
    const config = loadServiceConfig({ LANTERN_EVAL_INTERVAL: '1.5s', LANTERN_QUERY_OFFSET: '' });
    expect(config.LANTERN_EVAL_INTERVAL).toBe(1500);
    expect(config.LANTERN_QUERY_OFFSET).toBe(10_000);
    expect(loadServiceConfig({}).LANTERN_EVAL_INTERVAL).toBe(5_000);
  });

  it('refuses an evaluation interval under a second (0 would be a busy loop)', () => {
    for (const interval of ['0s', '250ms']) {
      expect(() => loadServiceConfig({ LANTERN_EVAL_INTERVAL: interval })).toThrow(
        /LANTERN_EVAL_INTERVAL: must be at least 1s/,
      );
    }
  });

  it('names this replica by host and port, and refuses a lease the holder could not renew in time', () => {
    expect(loadServiceConfig({ PORT: '8090' }).replicaId).toMatch(/^.+:8090$/);
    expect(loadServiceConfig({ PORT: '0' }).replicaId).toMatch(
      new RegExp(`^.+:pid${process.pid}$`),
    );
    expect(loadServiceConfig({ LANTERN_REPLICA_ID: 'analysis-1' }).replicaId).toBe('analysis-1');
    expect(loadServiceConfig({}).LANTERN_ALERT_LEASE).toBe(15_000);
    expect(() =>
      loadServiceConfig({ LANTERN_EVAL_INTERVAL: '10s', LANTERN_ALERT_LEASE: '15s' }),
    ).toThrow(/LANTERN_ALERT_LEASE: must be at least twice LANTERN_EVAL_INTERVAL/);
    expect(() => loadServiceConfig({ LANTERN_REPLICA_ID: 'a b' })).toThrow(/LANTERN_REPLICA_ID: /);
  });

  it('reports every bad setting at once, by name', () => {
    const load = () =>
      loadServiceConfig({
        LANTERN_EVAL_INTERVAL: 'soon',
        PORT: '99999',
        LANTERN_API_TOKEN: 'short',
      });
    expect(load).toThrow(/LANTERN_EVAL_INTERVAL: must be a duration like 30s/);
    expect(load).toThrow(/PORT: /);
    expect(load).toThrow(/LANTERN_API_TOKEN: must be at least 16 characters/);
  });

  it('hands its Elasticsearch login to the client as given', () => {
    const config = loadServiceConfig({
      LANTERN_ES_URL: 'https://es.internal:9200',
      LANTERN_ES_USERNAME: 'lantern_analysis',
      LANTERN_ES_PASSWORD: 'a-password',
    });
    expect(elasticsearchSettings(config)).toEqual({
      url: 'https://es.internal:9200',
      username: 'lantern_analysis',
      password: 'a-password',
      apiKey: undefined,
      caFile: undefined,
    });
  });

  it('never shows a secret in what it logs, also one inside a URL', () => {
    const config = loadServiceConfig({
      LANTERN_ES_URL: 'https://elastic:es-secret-1@es.internal:9200',
      LANTERN_ES_PASSWORD: 'hunter2-hunter2',
      LANTERN_API_TOKEN: 'a-token-of-16-chars-or-more',
      LANTERN_ALERTMANAGER_URL: 'https://am:am-secret-2@alerts.internal/',
    });
    const logged = loggable(config);
    expect(JSON.stringify(logged)).not.toMatch(/hunter2|a-token-of|es-secret|am-secret/);
    expect(logged).toMatchObject({
      LANTERN_ES_URL: 'https://[REDACTED]@es.internal:9200',
      LANTERN_ES_PASSWORD: 'set',
      LANTERN_API_TOKEN: 'set',
    });
  });
});

describe('retention and the storage budget', () => {
  it('keeps 7 days of logs and spans, 90 of alert history, and half the disk by default', () => {
    const config = loadServiceConfig({});
    expect(config.LANTERN_RETENTION_LOGS).toBe(7);
    expect(config.LANTERN_RETENTION_SPANS).toBe(7);
    expect(config.LANTERN_RETENTION_ALERTS).toBe(90);
    expect(config.LANTERN_STORAGE_BUDGET).toEqual({ diskShare: 0.5, text: '50%' });
    const set = loadServiceConfig({
      LANTERN_RETENTION_SPANS: '3d',
      LANTERN_STORAGE_BUDGET: '20gb',
    });
    expect(set.LANTERN_RETENTION_SPANS).toBe(3);
    expect(set.LANTERN_STORAGE_BUDGET).toEqual({ bytes: 20 * 1024 ** 3, text: '20gb' });
    expect(loadServiceConfig({ LANTERN_STORAGE_BUDGET: '1.5GB' }).LANTERN_STORAGE_BUDGET).toEqual({
      bytes: 1.5 * 1024 ** 3,
      text: '1.5GB',
    });
  });

  it('refuses a zero or negative retention, naming the setting', () => {
    for (const [name, value] of [
      ['LANTERN_RETENTION_LOGS', '0d'],
      ['LANTERN_RETENTION_SPANS', '-3d'],
      ['LANTERN_RETENTION_ALERTS', '0d'],
    ] as const)
      expect(() => loadServiceConfig({ [name]: value })).toThrow(
        new RegExp(`${name}: must be at least 1d`),
      );
  });

  it('refuses an unknown unit, naming the setting', () => {
    expect(() => loadServiceConfig({ LANTERN_RETENTION_LOGS: '7' })).toThrow(
      /LANTERN_RETENTION_LOGS: must be a whole number of days like 7d/,
    );
    expect(() => loadServiceConfig({ LANTERN_RETENTION_SPANS: '2w' })).toThrow(
      /LANTERN_RETENTION_SPANS: must be a whole number of days/,
    );
    for (const budget of ['20gib', '20 zb', 'lots', '-5gb'])
      expect(() => loadServiceConfig({ LANTERN_STORAGE_BUDGET: budget }), budget).toThrow(
        /LANTERN_STORAGE_BUDGET: must be a size like 20gb/,
      );
    expect(() => loadServiceConfig({ LANTERN_STORAGE_BUDGET: '95%' })).toThrow(
      /LANTERN_STORAGE_BUDGET: a share of the disk must be above 0% and at most 80%/,
    );
  });
});
