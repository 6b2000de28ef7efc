import { z } from 'zod';
import { endpoints, type EndpointKey } from '../contracts/api/endpoints.ts';
import { apiError } from '../contracts/api/operations.ts';
import {
  alertIdParam,
  alertmanagerNotification,
  alertsQuery,
  deploymentBody,
  deploymentComparisonQuery,
  deploymentsQuery,
  errorRateQuery,
  incidentActionBody,
  incidentIdPath,
  incidentsQuery,
  latencyQuery,
  logsQuery,
  receiverPath,
  requestRateQuery,
  servicesQuery,
  silenceBody,
  storageQuery,
  traceIdPath,
  tracesQuery,
} from './params.ts';

/** What the request may carry, from the same schemas that validate it. */
const requests: Partial<
  Record<EndpointKey, { query?: z.ZodObject; path?: z.ZodObject; body?: z.ZodType }>
> = {
  'GET /api/v1/alerts': { query: alertsQuery },
  'GET /api/v1/alerts/{id}': { path: alertIdParam },
  'GET /api/v1/incidents': { query: incidentsQuery },
  'GET /api/v1/incidents/{incidentId}': { path: incidentIdPath },
  'POST /api/v1/incidents/{incidentId}/acknowledge': {
    path: incidentIdPath,
    body: incidentActionBody,
  },
  'POST /api/v1/incidents/{incidentId}/resolve': { path: incidentIdPath, body: incidentActionBody },
  'GET /api/v1/deployments': { query: deploymentsQuery },
  'GET /api/v1/deployments/comparison': { query: deploymentComparisonQuery },
  'POST /api/v1/deployments': { body: deploymentBody },
  'GET /api/v1/logs': { query: logsQuery },
  'GET /api/v1/traces': { query: tracesQuery },
  'GET /api/v1/traces/{traceId}': { path: traceIdPath },
  'GET /api/v1/services': { query: servicesQuery },
  'GET /api/v1/analysis/request-rate': { query: requestRateQuery },
  'GET /api/v1/analysis/error-rate': { query: errorRateQuery },
  'GET /api/v1/analysis/latency': { query: latencyQuery },
  'POST /api/v1/silences': { body: silenceBody },
  'GET /api/v1/storage': { query: storageQuery },
  'POST /api/v1/notifications/{receiver}': { path: receiverPath, body: alertmanagerNotification },
};

const jsonSchema = (schema: z.core.$ZodType, io: 'input' | 'output') =>
  z.toJSONSchema(schema, { io, unrepresentable: 'any' });

function parameters(schema: z.ZodObject, where: 'query' | 'path') {
  const json = jsonSchema(schema, 'input') as {
    properties?: Record<string, object>;
    required?: string[];
  };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || (json.required?.includes(name) ?? false),
    schema: property,
  }));
}

const json = (schema: z.core.$ZodType) => ({
  'application/json': { schema: jsonSchema(schema, 'output') },
});
const errorResponse = { $ref: '#/components/responses/Error' };

function operation(key: EndpointKey) {
  const endpoint = endpoints[key];
  const request = requests[key];
  const errorStatuses = [400, 401, 503, ...('errors' in endpoint ? endpoint.errors : [])];
  return {
    summary: endpoint.summary,
    parameters: [
      ...(request?.path ? parameters(request.path, 'path') : []),
      ...(request?.query ? parameters(request.query, 'query') : []),
    ],
    ...(request?.body && { requestBody: { required: true, content: json(request.body) } }),
    responses: {
      [endpoint.status]: {
        description: endpoint.summary,
        content:
          endpoint.body === null
            ? { 'text/plain': { schema: { type: 'string' } } }
            : json(endpoint.body),
      },
      ...Object.fromEntries(errorStatuses.map((status) => [status, errorResponse])),
    },
  };
}

/** The analysis API's OpenAPI 3.1 document, served at /api/v1/openapi.json. */
export function openApiDocument() {
  const paths: Record<string, Record<string, ReturnType<typeof operation>>> = {};
  for (const key of Object.keys(endpoints) as EndpointKey[]) {
    const [method = '', path = ''] = key.split(' ');
    paths[path] = { ...paths[path], [method.toLowerCase()]: operation(key) };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Lantern analysis API', version: '1' },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      responses: { Error: { description: 'An error and its reason', content: json(apiError) } },
    },
    security: [{ bearer: [] }],
    paths,
  };
}
