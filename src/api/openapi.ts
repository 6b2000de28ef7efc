import { z } from 'zod';
import {
  alertsQuery,
  errorRateQuery,
  latencyQuery,
  logsQuery,
  requestRateQuery,
  servicesQuery,
  silenceBody,
  tracesQuery,
} from './params.ts';

/** Query parameters of an endpoint, from the same schemas that validate them. */
function parameters(schema: z.ZodObject) {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as {
    properties?: Record<string, object>;
    required?: string[];
  };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: 'query',
    required: json.required?.includes(name) ?? false,
    schema: property,
  }));
}

const error = { $ref: '#/components/responses/Error' };
const errors = { '400': error, '401': error, '503': error };
const get = (summary: string, schema?: z.ZodObject) => ({
  get: {
    summary,
    ...(schema ? { parameters: parameters(schema) } : {}),
    responses: { '200': { description: 'OK' }, ...errors },
  },
});

/** The analysis API's OpenAPI 3.1 document, served at /api/v1/openapi.json. */
export function openApiDocument() {
  return {
    openapi: '3.1.0',
    info: { title: 'Lantern analysis API', version: '1' },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      responses: {
        Error: {
          description: '{ "error": { "code", "message" } }',
          content: {
            'application/json': {
              schema: {
                type: 'object',
                properties: {
                  error: {
                    type: 'object',
                    properties: { code: { type: 'string' }, message: { type: 'string' } },
                  },
                },
              },
            },
          },
        },
      },
    },
    security: [{ bearer: [] }],
    paths: {
      '/api/v1/alerts': get('Alerts, most severe and newest first', alertsQuery),
      '/api/v1/alerts/{id}': {
        get: {
          summary: 'One alert and its state history',
          parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '200': { description: 'OK' }, '404': error, ...errors },
        },
      },
      '/api/v1/logs': get(
        'With traceId: the log records of one trace, oldest first; else a log search, newest first',
        logsQuery,
      ),
      '/api/v1/traces': get(
        'Trace search: matching requests, newest first, one per trace',
        tracesQuery,
      ),
      '/api/v1/traces/{traceId}': {
        get: {
          summary: 'One trace, whole: its spans (with weights) and its logs',
          parameters: [{ name: 'traceId', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { '200': { description: 'OK' }, '404': error, ...errors },
        },
      },
      '/api/v1/services': get(
        'Per service: logs, errors, requests, weighted latency percentiles',
        servicesQuery,
      ),
      '/api/v1/analysis/request-rate': get(
        'Every service at once: weighted requests and failed requests per time bucket (the overview sparklines)',
        requestRateQuery,
      ),
      '/api/v1/analysis/error-rate': get(
        'Error rate over time (weighted requests and logs)',
        errorRateQuery,
      ),
      '/api/v1/analysis/latency': get(
        'Weighted latency percentiles over time and per route',
        latencyQuery,
      ),
      '/api/v1/rules': get('The loaded alert rules, each SLO burn-rate rule among them'),
      '/api/v1/slos': get(
        'Per SLO and service: SLI and error budget over the period, burn rate per alert window, active burn alerts',
      ),
      '/api/v1/links': get('Links the console offers: { jaegerUi } (null when none)'),
      '/api/v1/silences': {
        ...get('Active and pending silences in Alertmanager'),
        post: {
          summary: 'Silence one alert (its exact labels) in Alertmanager',
          requestBody: {
            required: true,
            content: {
              'application/json': {
                schema: z.toJSONSchema(silenceBody, { io: 'input', unrepresentable: 'any' }),
              },
            },
          },
          responses: { '201': { description: 'Created' }, '404': error, '502': error, ...errors },
        },
      },
      '/api/v1/health': get(
        'Health of Elasticsearch, the Collector, Jaeger and Alertmanager, checked now',
      ),
      '/healthz': get('200 while the process runs'),
      '/readyz': get('200 when Elasticsearch answers, 503 with the reason otherwise'),
      '/metrics': get('Prometheus metrics of this service'),
    },
  };
}
