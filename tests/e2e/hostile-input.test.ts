import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { fields } from '../../src/contracts/fields.ts';
import { indices } from '../../src/contracts/indices.ts';
import { startApi, type ApiUnderTest } from '../../tools/harness/api-server.ts';
import { newSpanId, newTraceId, sendLogs, stack, type TestLog } from '../../tools/harness/otlp.ts';
import { docsOfTrace, es } from '../../tools/harness/stores.ts';
import { upTo } from '../support/polling.ts';

const run = Date.now().toString(36);
const service = `hostile-input-${run}`;
/** The hostile log records of step 2, and nothing else. */
const traceId = newTraceId();
/** The 1 MB attribute, the many attributes and the record sent after the malformed payloads. */
const edgeTraceId = newTraceId();

/** Label and text; the long one is over the API's 256-character limit for names. */
const HOSTILE: readonly (readonly [string, string])[] = [
  ['star', '*'],
  ['quote-or', '" OR 1=1'],
  ['field-query', 'TraceId:* AND'],
  ['backslash', '\\'],
  ['query-dsl', '{"query":{"match_all":{}}}'],
  ['script', '<script>alert(1)</script>'],
  ['jndi', '$' + '{jndi:ldap://x}'],
  ['sql', "'; DROP TABLE logs; --"],
  ['unicode', '🦊🔥 naïve 日本語 \u202Eevil\u202C \u200Fمرحبا e\u0301'],
  ['controls', 'bell\u0007 esc\u001b[31m tab\t cr\r lf\n del\u007f'],
  ['long', `λ${'ℓ'.repeat(400)}`],
];
/** Far beyond every ignore_above (Body.raw 2048, attributes 1024): kept in _source only. */
const VERY_LONG = `start ${'🦊λ<>*'.repeat(20_000)} end`;
const MEGABYTE = 'm'.repeat(1 << 20);
/** More attributes than Elasticsearch's default field limit (1000): none may be lost. */
const MANY = 1500;

const log = (id: string, body: string, attributes: TestLog['attributes'] = {}): TestLog => ({
  traceId: id,
  spanId: newSpanId(),
  timeMs: Date.now(),
  severityNumber: 17,
  severityText: 'ERROR',
  body,
  attributes,
});

/** Deterministic bytes (xorshift), so the "random" payload is the same on every run. */
function noise(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  let x = 0x2545f491;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  return bytes;
}

const json = { 'content-type': 'application/json' };
const protobuf = { 'content-type': 'application/x-protobuf' };
const logsWith = (record: string) =>
  `{"resourceLogs":[{"scopeLogs":[{"logRecords":[${record}]}]}]}`;
const valid = logsWith(`{"traceId":"${edgeTraceId}","body":{"stringValue":"never stored"}}`);

describe('the Collector OTLP/HTTP receiver refuses malformed payloads with 4xx', () => {
  it.each([
    ['invalid JSON', 400, '/v1/logs', '{not json', json],
    ['truncated JSON', 400, '/v1/logs', valid.slice(0, valid.length / 2), json],
    ['resourceLogs as a string', 400, '/v1/logs', '{"resourceLogs":"oops"}', json],
    ['a JSON array', 400, '/v1/logs', '[]', json],
    ['traceId of 3 characters', 400, '/v1/logs', logsWith('{"traceId":"abc"}'), json],
    ['traceId not hex', 400, '/v1/logs', logsWith(`{"traceId":"${'z'.repeat(32)}"}`), json],
    ['spanId of wrong length', 400, '/v1/logs', logsWith('{"spanId":"0123"}'), json],
    ['timeUnixNano as an object', 400, '/v1/logs', logsWith('{"timeUnixNano":{"a":1}}'), json],
    ['negative timeUnixNano', 400, '/v1/logs', logsWith('{"timeUnixNano":"-5"}'), json],
    ['unknown severityNumber name', 400, '/v1/logs', logsWith('{"severityNumber":"loud"}'), json],
    ['stringValue a number', 400, '/v1/logs', logsWith('{"body":{"stringValue":42}}'), json],
    ['random bytes as protobuf logs', 400, '/v1/logs', noise(1024), protobuf],
    ['random bytes as protobuf traces', 400, '/v1/traces', noise(1024), protobuf],
    ['random bytes as protobuf metrics', 400, '/v1/metrics', noise(1024), protobuf],
    ['invalid JSON traces', 400, '/v1/traces', '{"resourceSpans":[{', json],
    ['an empty JSON body', 400, '/v1/logs', '', json],
    // A zero-length protobuf message is a valid, empty ExportLogsServiceRequest.
    ['an empty protobuf body', 200, '/v1/logs', '', protobuf],
    ['content-type text/plain', 415, '/v1/logs', valid, { 'content-type': 'text/plain' }],
    [
      'gzip content-encoding over plain JSON',
      400,
      '/v1/logs',
      valid,
      { ...json, 'content-encoding': 'gzip' },
    ],
  ] as const)('%s → %i', async (_name, expected, path, body, headers) => {
    const response = await fetch(`${stack.otlpHttp}${path}`, { method: 'POST', headers, body });
    await response.arrayBuffer();
    expect(response.status).toBe(expected);
  });

  it('accepts a 1 MB attribute value and 1500 attributes, then a valid record, and stays healthy', async () => {
    const many = Object.fromEntries(
      Array.from({ length: MANY }, (_, i) => [`fuzz.many.k${i}`, `v${i}`]),
    );
    await expect(
      sendLogs(service, [log(edgeTraceId, 'one megabyte attribute', { 'fuzz.big': MEGABYTE })]),
    ).resolves.toBeUndefined();
    await expect(
      sendLogs(service, [log(edgeTraceId, 'many attributes', many)]),
    ).resolves.toBeUndefined();
    expect((await fetch(stack.collectorHealth)).status).toBe(200);
    await expect(sendLogs(service, [log(edgeTraceId, 'after the storm')])).resolves.toBeUndefined();
  });

  it('stores exactly those three records, the large ones intact', async () => {
    const docs = await vi.waitFor(async () => {
      const found = await docsOfTrace(indices.logs.pattern, edgeTraceId);
      expect(found.length).toBeGreaterThanOrEqual(3);
      return found;
    }, upTo());
    const body = (text: string) => docs.find((doc) => doc[fields.log.body] === text);
    expect(docs.map((doc) => doc[fields.log.body]).sort()).toEqual([
      'after the storm',
      'many attributes',
      'one megabyte attribute',
    ]);
    const big = body('one megabyte attribute')?.['Attributes.fuzz.big'];
    expect(typeof big === 'string' ? big.length : big).toBe(MEGABYTE.length);
    expect(big === MEGABYTE).toBe(true);
    const many = body('many attributes') ?? {};
    const keys = Object.keys(many).filter((key) => key.startsWith('Attributes.fuzz.many.'));
    expect(keys).toHaveLength(MANY);
    for (let i = 0; i < MANY; i++) expect(many[`Attributes.fuzz.many.k${i}`]).toBe(`v${i}`);
  });
});

describe('hostile strings in log records are stored verbatim', () => {
  const sent = [...HOSTILE.map(([, text]) => text), VERY_LONG];

  it('the Collector accepts them', async () => {
    const logs = sent.map((text, i) =>
      log(traceId, text, { 'fuzz.hostile': text.slice(0, 1000), 'fuzz.index': i }),
    );
    await expect(sendLogs(service, logs)).resolves.toBeUndefined();
  });

  it('Elasticsearch holds exactly one document per record, Body and attributes unchanged', async () => {
    const docs = await vi.waitFor(async () => {
      const found = await docsOfTrace(indices.logs.pattern, traceId);
      expect(found.length).toBeGreaterThanOrEqual(sent.length);
      return found;
    }, upTo());
    expect(docs).toHaveLength(sent.length);
    sent.forEach((text, i) => {
      const doc = docs.find((d) => d['Attributes.fuzz.index'] === i);
      expect(doc?.[fields.log.body], `record ${i}`).toBe(text);
      expect(doc?.['Attributes.fuzz.hostile'], `record ${i}`).toBe(text.slice(0, 1000));
      expect(doc?.[fields.traceId]).toBe(traceId);
      expect(doc?.[fields.serviceName]).toBe(service);
    });
  });
});

describe('the analysis API under hostile query parameters', () => {
  let api: ApiUnderTest;
  beforeAll(async () => {
    api = await startApi(es);
  });
  afterAll(async () => {
    await api.close();
  });

  async function get(path: string) {
    const response = await fetch(`${api.url}${path}`);
    const text = await response.text();
    expect(response.headers.get('content-type'), path).toMatch(/^application\/json/);
    return { status: response.status, text, body: JSON.parse(text) as Record<string, unknown> };
  }

  const absent = newTraceId();
  const q = encodeURIComponent;
  const refused: (readonly [string, string, string])[] = [
    ...HOSTILE.flatMap(([label, text]): (readonly [string, string, string])[] => [
      [`logs traceId=${label}`, `/api/v1/logs?traceId=${q(text)}`, 'traceId'],
      [`logs limit=${label}`, `/api/v1/logs?traceId=${absent}&limit=${q(text)}`, 'limit'],
      [`alerts state=${label}`, `/api/v1/alerts?state=${q(text)}`, 'state'],
      [`alerts severity=${label}`, `/api/v1/alerts?severity=${q(text)}`, 'severity'],
      [`alerts limit=${label}`, `/api/v1/alerts?limit=${q(text)}`, 'limit'],
      [`alerts/:id=${label}`, `/api/v1/alerts/${q(text)}`, 'id'],
      [`services from=${label}`, `/api/v1/services?from=${q(text)}`, 'from'],
      [`services to=${label}`, `/api/v1/services?to=${q(text)}`, 'to'],
      [
        `error-rate interval=${label}`,
        `/api/v1/analysis/error-rate?interval=${q(text)}`,
        'interval',
      ],
      [`latency from=${label}`, `/api/v1/analysis/latency?from=${q(text)}`, 'from'],
      [`latency interval=${label}`, `/api/v1/analysis/latency?interval=${q(text)}`, 'interval'],
      [`logs severity=${label}`, `/api/v1/logs?severity=${q(text)}`, 'severity'],
      [`traces errors=${label}`, `/api/v1/traces?errors=${q(text)}`, 'errors'],
      [`traces minDurationMs=${label}`, `/api/v1/traces?minDurationMs=${q(text)}`, 'minDurationMs'],
      [`traces/:traceId=${label}`, `/api/v1/traces/${q(text)}`, 'traceId'],
    ]),
    ['traceId twice', '/api/v1/logs?traceId=a&traceId=b', 'traceId'],
    ['valid traceId twice', `/api/v1/logs?traceId=${absent}&traceId=${absent}`, 'traceId'],
    ['service twice', '/api/v1/analysis/error-rate?service=a&service=b', 'service'],
    ['state twice', '/api/v1/alerts?state=firing&state=firing', 'state'],
    ['service over 256', `/api/v1/alerts?service=${'s'.repeat(257)}`, 'service'],
    ['route over 256', `/api/v1/analysis/latency?route=${'r'.repeat(257)}`, 'route'],
    ['to past JS dates', '/api/v1/services?to=99999999999999999999', 'to'],
    ['to at the last JS date', '/api/v1/analysis/latency?to=8640000000000000', 'to'],
    ['to past date_nanos (2286)', '/api/v1/services?to=10000000000000', 'to'],
    ['from before 1970', '/api/v1/analysis/error-rate?from=-1000&to=1000', 'from'],
  ];

  it('answers a window at the very start of 1970 (from clamped to the epoch), not a 500', async () => {
    const { status, body } = await get('/api/v1/analysis/error-rate?to=1000');
    expect(status).toBe(200);
    const buckets = body.buckets as { start: string }[];
    expect(buckets[0]?.start).toBe('1970-01-01T00:00:00.000Z');
  });

  it.each(refused)('%s → 400 naming it', async (_label, path, parameter) => {
    const { status, body, text } = await get(path);
    expect(status, path).toBe(400);
    const error = body.error as { code?: unknown; message?: unknown } | undefined;
    expect(error?.code).toBe('bad_parameter');
    expect(String(error?.message)).toMatch(new RegExp(`parameter "(${parameter})"`));
    expect(text).not.toContain('<script>');
  });

  const names = HOSTILE.filter(([, text]) => text.length <= 256);
  it.each(names)('a service or route named %s is matched exactly: no data', async (_l, text) => {
    const alerts = await get(`/api/v1/alerts?service=${q(text)}`);
    expect(alerts.status).toBe(200);
    expect(alerts.body.alerts).toEqual([]);
    const rate = await get(`/api/v1/analysis/error-rate?service=${q(text)}`);
    expect(rate.status).toBe(200);
    expect(rate.body.service).toBe(text);
    const buckets = rate.body.buckets as { requests: number; logs: number }[];
    expect(buckets.reduce((sum, b) => sum + b.requests + b.logs, 0)).toBe(0);
    expect(rate.body.topErrors).toEqual([]);
    const latency = await get(`/api/v1/analysis/latency?route=${q(text)}`);
    expect(latency.status).toBe(200);
    expect(latency.body.route).toBe(text);
    expect(latency.body.routes).toEqual([]);
    const traces = await get(`/api/v1/traces?service=${q(text)}&operation=${q(text)}`);
    expect(traces.status).toBe(200);
    expect(traces.body.traces).toEqual([]);
    const logs = await get(`/api/v1/logs?service=${q(text)}`);
    expect(logs.status).toBe(200);
    expect(logs.body.logs).toEqual([]);
  });

  it('still returns exactly the stored records of the hostile trace, verbatim', async () => {
    const { status, body } = await get(`/api/v1/logs?traceId=${traceId}`);
    expect(status).toBe(200);
    const messages = (body.logs as { message: unknown }[]).map((entry) => entry.message);
    expect(messages).toHaveLength(HOSTILE.length + 1);
    expect([...messages].sort()).toEqual([...HOSTILE.map(([, t]) => t), VERY_LONG].sort());
  });

  it('counts the hostile error records of the service without choking on them', async () => {
    const { status, body } = await get(`/api/v1/analysis/error-rate?service=${service}`);
    expect(status).toBe(200);
    const buckets = body.buckets as { errorLogs: number }[];
    // The hostile records, plus the three of the edge trace (all sent as ERROR).
    expect(buckets.reduce((sum, b) => sum + b.errorLogs, 0)).toBe(HOSTILE.length + 1 + 3);
  });

  it('answers a well-formed trace id that appears nowhere with 200 and no logs', async () => {
    const { status, body } = await get(`/api/v1/logs?traceId=${absent}`);
    expect(status).toBe(200);
    expect(body).toEqual({ traceId: absent, logs: [] });
  });
});
