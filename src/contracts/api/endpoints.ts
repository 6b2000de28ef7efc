import * as z from 'zod/mini';
import { alertList, alertWithHistory, ruleList } from './alerts.ts';
import { deployment, deploymentComparison, deploymentList } from './deployments.ts';
import { differences } from './differences.ts';
import { incident, incidentList, incidentWithTimeline } from './incidents.ts';
import { errorRate, latency, requestRate, serviceList } from './figures.ts';
import {
  alive,
  health,
  links,
  notificationDelivered,
  ready,
  silenceCreated,
  silenceList,
} from './operations.ts';
import { serviceMap } from './service-map.ts';
import { sloList } from './slos.ts';
import { storage } from './storage.ts';
import { logList, trace, traceList } from './telemetry.ts';

/** What one endpoint answers when it succeeds. */
export interface Endpoint {
  readonly summary: string;
  readonly status: 200 | 201;
  /** The JSON body's schema; null where the body is not JSON (Prometheus text). */
  readonly body: z.ZodMiniType | null;
  /** Error statuses beyond the ones every endpoint may answer (400, 401, 503). */
  readonly errors?: readonly number[];
}

const ok = <B extends z.ZodMiniType | null>(summary: string, body: B, errors?: readonly number[]) =>
  ({ summary, status: 200, body, ...(errors && { errors }) }) as const;

/**
 * The analysis API, written once: the server's answers are typed by these schemas, the OpenAPI
 * document is generated from them, the console parses what it receives with them, and the
 * integration tests check real answers against them. Keys are `METHOD path`, path parameters
 * as OpenAPI writes them (`{id}`).
 */
export const endpoints = {
  'GET /healthz': ok('200 while the process runs', alive),
  'GET /readyz': ok('200 when Elasticsearch answers, 503 with the reason otherwise', ready),
  'GET /metrics': ok('Prometheus metrics of this service (text format)', null),
  'GET /api/v1/openapi.json': ok('This document', z.looseObject({ openapi: z.string() })),
  'GET /api/v1/alerts': ok('Alerts, most severe and newest first', alertList),
  'GET /api/v1/alerts/{id}': ok('One alert and its state history', alertWithHistory, [404]),
  'GET /api/v1/incidents': ok('Incidents, newest first', incidentList),
  'GET /api/v1/incidents/{incidentId}': ok(
    'One incident and its timeline, oldest entry first',
    incidentWithTimeline,
    [404],
  ),
  'POST /api/v1/incidents/{incidentId}/acknowledge': ok(
    'Acknowledge an incident (who, a note): escalation stops',
    incident,
    [404, 409],
  ),
  'POST /api/v1/incidents/{incidentId}/resolve': ok(
    'Resolve an incident by hand',
    incident,
    [404, 409],
  ),
  'GET /api/v1/deployments': ok(
    "One service's deploys in a range, oldest first: detected from its spans' service.version, and marked",
    deploymentList,
  ),
  'GET /api/v1/deployments/comparison': ok(
    "A deploy's before/after comparison: the previous version's requests against the new one's over equal windows, new error patterns, and a verdict",
    deploymentComparison,
    [404],
  ),
  'POST /api/v1/deployments': {
    summary: 'Mark a deploy of a version of a service (a CI pipeline says so)',
    status: 201,
    body: deployment,
  },
  'GET /api/v1/logs': ok(
    'With traceId: the log records of one trace, oldest first; else a log search, newest first',
    logList,
  ),
  'GET /api/v1/traces': ok(
    'Trace search: matching requests, newest first, one per trace',
    traceList,
  ),
  'GET /api/v1/traces/{traceId}': ok(
    'One trace, whole: its spans (with weights) and its logs',
    trace,
    [404],
  ),
  'GET /api/v1/services': ok(
    'Per service: logs, errors, requests, weighted latency percentiles',
    serviceList,
  ),
  'GET /api/v1/service-map': ok(
    'Which service calls which (client→server, producer→consumer): per service and per call, weighted requests over the range, error rate and p95; per service, its firing alerts',
    serviceMap,
  ),
  'GET /api/v1/analysis/request-rate': ok(
    'Every service at once: weighted requests and failed requests per time bucket',
    requestRate,
  ),
  'GET /api/v1/analysis/error-rate': ok(
    'Error rate over time (weighted requests and logs), and the top error log patterns',
    errorRate,
  ),
  'GET /api/v1/analysis/latency': ok(
    'Weighted latency percentiles over time and per route',
    latency,
  ),
  'GET /api/v1/analysis/differences': ok(
    "What is different about a selection of a service's requests (failed, slow, a region) against the others, weighted; and where it starts",
    differences,
  ),
  'GET /api/v1/rules': ok('The loaded alert rules, each SLO burn-rate rule among them', ruleList),
  'GET /api/v1/slos': ok(
    'Per SLO and service: SLI and error budget over the period, burn rate per alert window',
    sloList,
  ),
  'GET /api/v1/links': ok('Links the console offers', links),
  'GET /api/v1/silences': ok('Active and pending silences in Alertmanager', silenceList, [502]),
  'POST /api/v1/silences': {
    summary: 'Silence one alert (its exact labels) in Alertmanager',
    status: 201,
    body: silenceCreated,
    errors: [404, 502],
  },
  'GET /api/v1/storage': ok(
    'Per signal (logs, spans, alert history) and day: documents, bytes on disk, bytes per record',
    storage,
  ),
  'POST /api/v1/notifications/{receiver}': ok(
    "Alertmanager's webhook: deliver one notification to this receiver and record it on the incident's timeline",
    notificationDelivered,
    [404, 502],
  ),
  'GET /api/v1/health': ok(
    'Health of Elasticsearch, the Collector, Jaeger and Alertmanager, checked now',
    health,
  ),
} as const satisfies Record<string, Endpoint>;

export type EndpointKey = keyof typeof endpoints;
/** The endpoints that answer JSON. */
export type JsonEndpoint = {
  [K in EndpointKey]: (typeof endpoints)[K]['body'] extends z.ZodMiniType ? K : never;
}[EndpointKey];
/** The body an endpoint answers with, as the console receives it. */
export type ResponseBody<K extends JsonEndpoint> = z.output<
  NonNullable<(typeof endpoints)[K]['body']>
>;
