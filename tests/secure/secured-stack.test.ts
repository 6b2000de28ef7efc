import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { basicAuthorization, ES_USERS, WEB_USER } from '../../tools/stack/credentials.ts';
import { createElasticsearchClient } from '../../src/storage/client.ts';
import { fields } from '../../src/contracts/fields.ts';
import { dailyIndexName, indices } from '../../src/contracts/indices.ts';
import { installIndexTemplates } from '../../src/storage/templates.ts';
import { startApp, traceparent, type RunningApp } from '../../tools/harness/instrumented-app.ts';
import { newSpanId, newTraceId } from '../../tools/harness/otlp.ts';
import { otlpEncoder } from '../../tools/harness/otlp-encoder.ts';
import { scrapeSum } from '../../tools/harness/pipeline-counts.ts';
import { untilShardsStart } from '../../tools/harness/stores.ts';
import { exportOverGrpc, unaryCallStatus } from '../../tools/harness/otlp-grpc.ts';
import {
  envFileVariables,
  postTls,
  requestTls,
  secureCredentials,
  secureSettings,
  secureStack,
  secureStackEnv,
} from '../support/secure-stack.ts';
import { upTo } from '../support/polling.ts';
import { setupOutputFile } from '../support/secure-stack-setup.ts';

const credentials = secureCredentials();
const esAs = (user: keyof typeof ES_USERS, password: string) =>
  createElasticsearchClient({
    url: secureStack.elasticsearch,
    username: ES_USERS[user].username,
    password,
    caFile: credentials.caFile,
  });
const analysisEs = esAs('analysis', credentials.analysisPassword);
const ingestEs = esAs('ingest', credentials.ingestPassword);
const setupEs = esAs('setup', credentials.setupPassword);
const apps: RunningApp[] = [];

afterAll(async () => {
  await Promise.all(apps.map((app) => app.stop()));
  await Promise.all([analysisEs.close(), ingestEs.close(), setupEs.close()]);
});

const statusOf = async (promise: Promise<unknown>): Promise<number> => {
  try {
    await promise;
    return 200;
  } catch (error) {
    return (error as { meta?: { statusCode?: number } }).meta?.statusCode ?? 0;
  }
};

const logsOfTrace = (traceId: string): Promise<Record<string, unknown>[]> =>
  untilShardsStart(async () => {
    const result = await analysisEs.search<Record<string, unknown>>({
      index: indices.logs.pattern,
      query: { term: { [fields.traceId]: traceId } },
    });
    return result.hits.hits.map((hit) => hit._source ?? {});
  }, []);

function otlpLog(traceId: string, body: string) {
  return JSON.stringify({
    resourceLogs: [
      {
        resource: { attributes: [{ key: 'service.name', value: { stringValue: 'secure-test' } }] },
        scopeLogs: [
          {
            logRecords: [
              {
                timeUnixNano: String(BigInt(Date.now()) * 1_000_000n),
                body: { stringValue: body },
                traceId,
              },
            ],
          },
        ],
      },
    ],
  });
}

/**
 * The analysis service's log lines at warning level or above. Its logger (pino) writes JSON
 * lines to stdout; none at all means this reads the wrong stream, which fails here too.
 */
function warnings(app: RunningApp): string[] {
  const lines = app
    .stdout()
    .split('\n')
    .flatMap((line) => {
      try {
        const entry = JSON.parse(line) as { level?: unknown; msg?: unknown };
        return typeof entry.level === 'number' ? [entry] : [];
      } catch {
        return [];
      }
    });
  expect(lines.length, 'log lines of the analysis service on stdout').toBeGreaterThan(0);
  return lines.filter((entry) => Number(entry.level) >= 40).map((entry) => String(entry.msg));
}

/** Alert evaluations the analysis service has finished with this outcome (its /metrics). */
const evaluations = (app: RunningApp, outcome: 'ok' | 'failed'): Promise<number> =>
  scrapeSum(`${app.url}/metrics`, 'lantern_analysis_rule_evaluation_seconds_count', { outcome });

const ca = readFileSync(credentials.caFile);
const postLog = (traceId: string, authorization?: string) =>
  postTls(
    `${secureStack.otlpHttp}/v1/logs`,
    otlpLog(traceId, `secured ${traceId}`),
    {
      'content-type': 'application/json',
      ...(authorization === undefined ? {} : { authorization }),
    },
    ca,
  );

describe('the Collector in secured mode', () => {
  it('refuses OTLP without the bearer token, or with a wrong one, and stores nothing of it', async () => {
    const refused = newTraceId();
    expect(await postLog(refused)).toBe(401);
    expect(await postLog(refused, 'Bearer not-the-token')).toBe(401);
    expect(await postLog(refused, `Basic ${credentials.otlpToken}`)).toBe(401);

    const accepted = newTraceId();
    expect(await postLog(accepted, `Bearer ${credentials.otlpToken}`)).toBe(200);
    // Once the accepted record is stored, anything sent before it would be too.
    await expect.poll(() => logsOfTrace(accepted), upTo()).toHaveLength(1);
    expect(await logsOfTrace(refused)).toHaveLength(0);
  });

  it('speaks TLS only, with a certificate of the local CA', async () => {
    const plain = await fetch(`${secureStack.otlpHttp.replace('https:', 'http:')}/v1/logs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: otlpLog(newTraceId(), 'in clear'),
    });
    expect(plain.status).toBe(400);
    expect(await plain.text()).toMatch(/HTTPS/);
    // The system's trust store does not know the local CA: the certificate is not verified.
    const untrusted = await fetch(`${secureStack.otlpHttp}/v1/logs`, { method: 'POST' }).then(
      () => 'accepted',
      (error: unknown) => String((error as { cause?: { code?: string } }).cause?.code),
    );
    expect(untrusted).toMatch(/CERT|VERIFY/);
  });

  it('holds OTLP over gRPC to the same rules: TLS, then the token', async () => {
    const service = `secure-grpc-${newTraceId().slice(0, 8)}`;
    const batch = otlpEncoder('protobuf', service).logs(5, 0).body as Uint8Array;
    const tls = grpc.credentials.createSsl(ca);
    // By name: TLS clients send it as SNI, where an IP address is not allowed (RFC 6066).
    const target = secureStack.otlpGrpc.replace('127.0.0.1', 'localhost');
    const send = (channel: grpc.ChannelCredentials, authorization?: string) =>
      exportOverGrpc(target, 'logs', channel, batch, authorization);

    expect(await send(tls)).toBe(grpc.status.UNAUTHENTICATED);
    expect(await send(tls, 'Bearer not-the-token')).toBe(grpc.status.UNAUTHENTICATED);
    const withToken = `Bearer ${credentials.otlpToken}`;
    expect(await send(grpc.credentials.createInsecure(), withToken)).toBe(grpc.status.UNAVAILABLE);
    // TLS trusting only the system's CAs, not the local one.
    expect(await send(grpc.credentials.createSsl(), withToken)).toBe(grpc.status.UNAVAILABLE);
    expect(await send(tls, withToken)).toBe(grpc.status.OK);

    const count = () =>
      analysisEs
        .count({ index: indices.logs.pattern, query: { term: { [fields.serviceName]: service } } })
        .then((result) => result.count);
    await expect.poll(count, upTo()).toBe(5);
  });
});

describe('Elasticsearch in secured mode', () => {
  it('speaks TLS only and refuses anonymous requests', async () => {
    const plain = secureStack.elasticsearch.replace('https:', 'http:');
    await expect(fetch(`${plain}/_cluster/health`)).rejects.toThrow();
    const anonymous = createElasticsearchClient({
      url: secureStack.elasticsearch,
      caFile: credentials.caFile,
    });
    expect(await statusOf(anonymous.cluster.health())).toBe(401);
    await anonymous.close();
    const wrongPassword = esAs('analysis', 'wrong-password');
    expect(await statusOf(wrongPassword.cluster.health())).toBe(401);
    await wrongPassword.close();
  });

  it("gives the Collector's user create-only rights on telemetry indices", async () => {
    const index = `${indices.logs.prefix}-privilege-check`;
    expect(await statusOf(ingestEs.index({ index, document: { Body: 'x' } }))).toBe(200);
    expect(await statusOf(ingestEs.search({ index: indices.logs.pattern }))).toBe(403);
    expect(await statusOf(ingestEs.indices.delete({ index }))).toBe(403);
    expect(await statusOf(ingestEs.index({ index: 'other-index', document: {} }))).toBe(403);
    expect(await statusOf(ingestEs.indices.getIndexTemplate())).toBe(403);
  });

  it("gives the analysis service's user read on telemetry, write on its alert indices only", async () => {
    expect(await statusOf(analysisEs.search({ index: indices.logs.pattern }))).toBe(200);
    const tamper = analysisEs.index({
      index: `${indices.logs.prefix}-privilege-check`,
      document: { Body: 'forged' },
    });
    expect(await statusOf(tamper)).toBe(403);
    const drop = analysisEs.indices.delete({ index: `${indices.logs.prefix}-privilege-check` });
    expect(await statusOf(drop)).toBe(403);
    // Storage maintenance deletes a daily index of Lantern's, by its exact name shape only.
    const day = dailyIndexName('logs', '2000-01-01');
    expect(await statusOf(ingestEs.index({ index: day, document: { Body: 'old' } }))).toBe(200);
    expect(await statusOf(analysisEs.indices.forcemerge({ index: day }))).toBe(200);
    expect(await statusOf(analysisEs.indices.delete({ index: day }))).toBe(200);
    const alert = analysisEs.index({ index: indices.alerts.index, document: { probe: true } });
    expect(await statusOf(alert)).toBe(200);
    // It cannot stop ingestion with a write block, nor replace a template (it may read them).
    const block = analysisEs.indices.putSettings({
      index: indices.logs.pattern,
      settings: { blocks: { write: true } },
    });
    expect(await statusOf(block)).toBe(403);
    const hijack = analysisEs.indices.putIndexTemplate({
      name: 'lantern-forged',
      index_patterns: [indices.logs.pattern],
      priority: 9999,
    });
    expect(await statusOf(hijack)).toBe(403);
  });

  it("gives stack:up's setup user templates and index upgrades, and nothing to read or delete", async () => {
    expect(await installIndexTemplates(setupEs)).toEqual([]);
    expect(await statusOf(setupEs.search({ index: indices.logs.pattern }))).toBe(403);
    const drop = setupEs.indices.delete({ index: `${indices.logs.prefix}-privilege-check` });
    expect(await statusOf(drop)).toBe(403);
    const close = setupEs.indices.close({ index: `${indices.logs.prefix}-privilege-check` });
    expect(await statusOf(close)).toBe(403);
    const forge = setupEs.index({ index: indices.alerts.index, document: { forged: true } });
    expect(await statusOf(forge)).toBe(403);
  });
});

/**
 * The other servers: each refuses a request without credentials, in clear, or with wrong ones,
 * and answers the right ones. Basic auth for people and Lantern; the Collector's metrics endpoint
 * takes Prometheus's bearer token.
 */
const web = (password: string) => basicAuthorization(WEB_USER, password);
interface Guarded {
  readonly server: string;
  readonly url: string;
  /** A POST body for a receiver; GET without one. */
  readonly body?: string;
  readonly right: string;
  readonly wrong: string;
}
const guarded: readonly Guarded[] = [
  {
    server: 'Prometheus',
    url: `${secureStack.prometheus}/api/v1/query?query=up`,
    right: web(credentials.prometheusPassword),
    wrong: web(credentials.alertmanagerPassword),
  },
  {
    server: 'Alertmanager',
    url: `${secureStack.alertmanager}/api/v2/alerts`,
    right: web(credentials.alertmanagerPassword),
    wrong: web(credentials.prometheusPassword),
  },
  {
    server: "Jaeger's query API",
    url: `${secureStack.jaeger}/api/services`,
    right: web(credentials.jaegerPassword),
    wrong: web(credentials.prometheusPassword),
  },
  {
    server: "the Collector's metrics endpoint",
    url: secureStack.collectorPrometheus,
    right: `Bearer ${credentials.scrapeToken}`,
    wrong: `Bearer ${credentials.otlpToken}`,
  },
];

describe.each(guarded)('$server in secured mode', ({ url, body, right, wrong }) => {
  const call = (authorization?: string) =>
    requestTls(url, ca, {
      method: body === undefined ? 'GET' : 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        ...(authorization === undefined ? {} : { authorization }),
      },
    });

  it('refuses anonymous requests and wrong credentials, and answers the right ones', async () => {
    expect((await call()).status).toBe(401);
    expect((await call(wrong)).status).toBe(401);
    expect((await call('Basic bm9ib2R5Om5vdGhpbmc=')).status).toBe(401);
    expect((await call(right)).status).toBe(200);
  });

  it('speaks TLS only', async () => {
    const plain = await fetch(url.replace('https:', 'http:'), {
      method: body === undefined ? 'GET' : 'POST',
      ...(body === undefined ? {} : { body }),
      headers: { authorization: right },
    });
    expect(plain.status).toBe(400);
    expect(await plain.text()).toMatch(/HTTPS/);
  });
});

describe("Jaeger's gRPC query API in secured mode", () => {
  const target = `localhost:${secureSettings.LANTERN_JAEGER_QUERY_GRPC_PORT}`;
  const services = (channel: grpc.ChannelCredentials, authorization?: string) =>
    unaryCallStatus(
      target,
      '/jaeger.api_v3.QueryService/GetServices',
      channel,
      new Uint8Array(),
      authorization,
    );

  it('holds to the same rules as its HTTP API: TLS, then the login', async () => {
    const tls = grpc.credentials.createSsl(ca);
    const right = web(credentials.jaegerPassword);
    expect(await services(tls)).toBe(grpc.status.UNAUTHENTICATED);
    expect(await services(tls, web(credentials.prometheusPassword))).toBe(
      grpc.status.UNAUTHENTICATED,
    );
    expect(await services(grpc.credentials.createInsecure(), right)).toBe(grpc.status.UNAVAILABLE);
    expect(await services(tls, right)).toBe(grpc.status.OK);
  });
});

describe("Lantern's trace storage for Jaeger in secured mode", () => {
  const target = `localhost:${secureSettings.LANTERN_JAEGER_STORAGE_PORT}`;
  const services = (channel: grpc.ChannelCredentials, authorization?: string) =>
    unaryCallStatus(
      target,
      '/jaeger.storage.v2.TraceReader/GetServices',
      channel,
      new Uint8Array(),
      authorization,
    );

  it('answers only Jaeger: TLS, then its token; nobody reads spans around Jaeger', async () => {
    const tls = grpc.credentials.createSsl(ca);
    const right = `Bearer ${credentials.jaegerStorageToken}`;
    expect(await services(tls)).toBe(grpc.status.UNAUTHENTICATED);
    expect(await services(tls, `Bearer ${credentials.otlpToken}`)).toBe(
      grpc.status.UNAUTHENTICATED,
    );
    expect(await services(tls, web(credentials.jaegerPassword))).toBe(grpc.status.UNAUTHENTICATED);
    expect(await services(grpc.credentials.createInsecure(), right)).toBe(grpc.status.UNAVAILABLE);
    expect(await services(tls, right)).toBe(grpc.status.OK);
  });
});

describe('the authenticated path, end to end', () => {
  const traceId = newTraceId();
  const alertName = `secure-burst-${traceId.slice(0, 8)}`;
  let service: RunningApp;
  let analysis: RunningApp;

  beforeAll(async () => {
    service = await startApp({
      loader: '--import',
      script: 'tests/fixtures/express-app.mjs',
      service: 'secure-app',
      // Exactly what the stack tells users to load: set -a; . .lantern/secure/service.env
      env: envFileVariables(credentials.serviceEnvFile),
    });
    const rules = join(mkdtempSync(join(tmpdir(), 'lantern-rules-')), 'rules.yaml');
    writeFileSync(
      rules,
      [
        'rules:',
        `  - { name: ${alertName}, kind: error_rate, service: secure-app, threshold: 0.5,`,
        '      min_requests: 1, window: 30s, severity: high }',
      ].join('\n'),
    );
    analysis = await startApp({
      loader: 'none',
      script: 'bin/analysis.ts',
      service: 'analysis',
      env: {
        // Exactly what the stack tells users to load, Alertmanager's login included.
        ...envFileVariables(credentials.analysisEnvFile),
        LANTERN_RULES_FILE: rules,
        LANTERN_EVAL_INTERVAL: '1s',
        LANTERN_QUERY_OFFSET: '3s',
      },
    });
    apps.push(service, analysis);
  });

  const api = (path: string, token?: string) =>
    fetch(`${analysis.url}${path}`, {
      headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    });

  it('takes an instrumented service to Jaeger and Elasticsearch with the token', async () => {
    const response = await fetch(`${service.url}/fail`, {
      headers: { traceparent: traceparent(traceId, newSpanId()) },
    });
    expect(response.status).toBe(500);
    // Seven more failures, each its own trace: the rule fires on evidence, and 8 failures of 8
    // requests bound the rate at 0.75 (one-sided 95%), above its 0.5; one failure alone would
    // bound it at 0.27 and fire nothing.
    for (let i = 0; i < 7; i += 1) {
      expect((await fetch(`${service.url}/fail`)).status).toBe(500);
    }
    // Through the Collector's TLS and login to Jaeger, and out of its query API with ours.
    const trace = `${secureStack.jaeger}/api/traces/${traceId}`;
    const jaeger = await vi.waitFor(async () => {
      const answer = await requestTls(trace, ca, {
        headers: { authorization: web(credentials.jaegerPassword) },
      });
      expect(answer.status).toBe(200);
      return answer;
    }, upTo());
    expect(jaeger.text).toContain(traceId);
    expect(jaeger.text).toContain('secure-app');
    expect((await requestTls(trace, ca)).status).toBe(401);
    const logs = await vi.waitFor(async () => {
      const docs = await logsOfTrace(traceId);
      expect(docs.length).toBeGreaterThan(0);
      return docs;
    }, upTo());
    expect(String(logs[0]?.[fields.log.body])).toContain('failing on purpose');
    // The bootstrap's own words for a failed export (src/tracing/export-failures.ts).
    expect(service.stderr()).not.toMatch(/exporting \w+ to \S+ (failed|still failing)|\b401\b/);
  });

  it('serves the analysis API only with its token', async () => {
    expect((await api('/api/v1/alerts')).status).toBe(401);
    expect((await api('/api/v1/alerts', 'wrong-token-wrong-token')).status).toBe(401);
    const ok = await api('/api/v1/alerts', credentials.apiToken);
    expect(ok.status).toBe(200);
    const logs = async () => {
      const answer = await api(`/api/v1/logs?traceId=${traceId}`, credentials.apiToken);
      return ((await answer.json()) as { logs?: unknown[] }).logs ?? [];
    };
    await expect.poll(logs, upTo()).toHaveLength(1);
    // Evaluations take the lease and write alert state and history with the analysis user:
    // the failing request's alert is stored, the evaluation that stored it has finished, none
    // failed, and the service logged no warning or error meanwhile.
    const stored = async () => {
      const answer = await api(`/api/v1/alerts?service=secure-app&state=all`, credentials.apiToken);
      return ((await answer.json()) as { alerts: unknown[] }).alerts;
    };
    await expect.poll(stored, upTo()).not.toHaveLength(0);
    const storedBy = await evaluations(analysis, 'ok');
    await expect.poll(() => evaluations(analysis, 'ok'), upTo()).toBeGreaterThan(storedBy);
    expect(await evaluations(analysis, 'failed')).toBe(0);
    expect((await api('/readyz')).status).toBe(200);
    expect(warnings(analysis)).toEqual([]);
  });

  it("sends the alert to Alertmanager with Alertmanager's login", async () => {
    const firing = await vi.waitFor(async () => {
      const answer = await requestTls(`${secureStack.alertmanager}/api/v2/alerts`, ca, {
        headers: { authorization: web(credentials.alertmanagerPassword) },
      });
      const alerts = JSON.parse(answer.text) as { labels: Record<string, string> }[];
      const ours = alerts.filter((alert) => alert.labels.alertname === alertName);
      expect(ours.length).toBeGreaterThan(0);
      return ours;
    }, upTo(60_000));
    expect(firing[0]?.labels.service).toBe('secure-app');
    // Not after a failed attempt ("could not notify Alertmanager" is a warning).
    expect(warnings(analysis)).toEqual([]);
  });

  it("reaches Jaeger and Alertmanager with their logins: the console's health is all up", async () => {
    const health = (await (await api('/api/v1/health', credentials.apiToken)).json()) as {
      components: { name: string; state: string; detail: string }[];
    };
    const states = Object.fromEntries(health.components.map((c) => [c.name, c.state]));
    expect(states).toEqual({
      elasticsearch: expect.stringMatching(/^(up|degraded)$/) as unknown,
      collector: 'up',
      jaeger: 'up',
      alertmanager: 'up',
    });
  });

  it('has Prometheus scrape the Collector over TLS with its token', async () => {
    const query = `${secureStack.prometheus}/api/v1/query?query=${encodeURIComponent('up{job="otel-collector-exporter"}')}`;
    const up = async () => {
      const answer = await requestTls(query, ca, {
        headers: { authorization: web(credentials.prometheusPassword) },
      });
      const body = JSON.parse(answer.text) as { data: { result: { value: [number, string] }[] } };
      return body.data.result[0]?.value[1];
    };
    await expect.poll(up, upTo()).toBe('1');
  });

  it('keeps every secret, key and login file readable by its owner only', () => {
    const dir = join(secureStackEnv.LANTERN_STATE_DIR ?? '', 'secure');
    const secretFiles = readdirSync(dir).filter((name) => !/\.(crt|csr|srl|ext)$/.test(name));
    // secrets.json, service.env, analysis.env, tokens, passwords, web configs, htpasswd, keys.
    expect(secretFiles.length).toBeGreaterThanOrEqual(15);
    for (const name of secretFiles) {
      expect([name, statSync(join(dir, name)).mode & 0o077]).toEqual([name, 0]);
    }
  });

  it('never writes a secret to any log or output', () => {
    const secrets = [
      credentials.ingestPassword,
      credentials.analysisPassword,
      credentials.setupPassword,
      credentials.otlpToken,
      credentials.apiToken,
      credentials.prometheusPassword,
      credentials.alertmanagerPassword,
      credentials.jaegerPassword,
      credentials.jaegerStorageToken,
      credentials.scrapeToken,
    ];
    const stateDir = secureStackEnv.LANTERN_STATE_DIR ?? '';
    const logDir = join(stateDir, 'logs');
    const esLogs = join(stateDir, 'elasticsearch', 'logs');
    const texts = [
      readFileSync(setupOutputFile, 'utf8'),
      analysis.stdout(),
      analysis.stderr(),
      service.stderr(),
      ...[logDir, esLogs].flatMap((dir) =>
        readdirSync(dir)
          .map((name) => join(dir, name))
          .filter((path) => statSync(path).isFile())
          .map((path) => readFileSync(path, 'utf8')),
      ),
    ];
    expect(texts.join('').length).toBeGreaterThan(1000);
    for (const text of texts) for (const secret of secrets) expect(text).not.toContain(secret);
  });
});
