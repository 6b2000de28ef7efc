/**
 * Built on Node's own http server, node >=22.15.0 <23.0.0 (range in ./upstream.ts). Relies on:
 * the `http.server.request.start` diagnostics channel publishing `{ request, response }`
 * synchronously before the server's 'request' listeners run, so the context attached here is
 * active in the handler; and the response emitting 'close' once it is sent or cut off.
 */
import {
  context,
  metrics,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Histogram,
  type MeterProvider,
  type Span,
  type Tracer,
  type TracerProvider,
} from '@opentelemetry/api';
import { RPCType, setRPCMetadata, type RPCMetadata } from '@opentelemetry/core';
import type { Instrumentation, InstrumentationConfig } from '@opentelemetry/instrumentation';
import diagnostics from 'node:diagnostics_channel';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TLSSocket } from 'node:tls';
import { HTTP_STATUS_ATTRIBUTES, MIN_FAILED_HTTP_STATUS } from '../../contracts/failed-request.ts';

const NAME = 'lantern-http-server';
const VERSION = '1.0.0';
/** The channel Node's http server publishes each request on, before its 'request' listeners. */
export const REQUEST_START = 'http.server.request.start';

/** Methods semantic conventions name; any other is recorded as `_OTHER`. */
const KNOWN_METHODS = new Set([
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'DELETE',
  'CONNECT',
  'OPTIONS',
  'TRACE',
  'PATCH',
  'QUERY',
]);

/** Query parameters whose value is replaced, as OpenTelemetry's http instrumentation does. */
const REDACTED_QUERY_PARAMETERS = ['AWSAccessKeyId', 'Signature', 'sig', 'X-Goog-Signature'];

/** The buckets semantic conventions advise for http.server.request.duration, in seconds. */
const DURATION_BUCKETS = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10,
];

interface Served {
  readonly span: Span;
  readonly route: RPCMetadata;
  readonly method: string;
  readonly scheme: string;
  readonly protocol: string;
  readonly startedAt: number;
  readonly duration: Histogram;
}

const served = Symbol('lantern.served');
type Response = ServerResponse & { [served]?: Served | undefined };

/**
 * The server span of every request an http or https server receives, from Node's
 * `http.server.request.start` diagnostics channel rather than by patching `Server.prototype.emit`
 * as OpenTelemetry's http instrumentation does (which Lantern keeps for outgoing requests only).
 * Same span, attributes (stable HTTP semantic conventions), status, route naming and
 * http.server.request.duration histogram, at a fraction of the work per request: the URL is
 * split rather than parsed, request and response are not bound to the context, and the span's
 * context is made active for the handler with `context.attach` (the channel has no callback to
 * wrap). Express routes are named through the RPC metadata (by express-routes.ts by default).
 * Not carried over: the RFC 7239 `Forwarded` header (X-Forwarded-For and -Host are read), and
 * the stock instrumentation's hooks and header capture, which Lantern never configured.
 */
export class HttpServerSpans implements Instrumentation {
  readonly instrumentationName = NAME;
  readonly instrumentationVersion = VERSION;
  private config: InstrumentationConfig = { enabled: false };
  private tracer: Tracer = trace.getTracer(NAME, VERSION);
  private duration: Histogram = this.histogram(metrics.getMeterProvider());

  setTracerProvider(provider: TracerProvider): void {
    this.tracer = provider.getTracer(NAME, VERSION);
  }

  setMeterProvider(provider: MeterProvider): void {
    this.duration = this.histogram(provider);
  }

  setConfig(config: InstrumentationConfig): void {
    this.config = { ...config, enabled: this.config.enabled ?? false };
  }

  getConfig(): InstrumentationConfig {
    return this.config;
  }

  enable(): void {
    if (this.config.enabled) return;
    diagnostics.subscribe(REQUEST_START, this.onRequest);
    this.config = { ...this.config, enabled: true };
  }

  disable(): void {
    if (!this.config.enabled) return;
    diagnostics.unsubscribe(REQUEST_START, this.onRequest);
    this.config = { ...this.config, enabled: false };
  }

  private histogram(provider: MeterProvider): Histogram {
    return provider.getMeter(NAME, VERSION).createHistogram('http.server.request.duration', {
      description: 'Duration of HTTP server requests.',
      unit: 's',
      advice: { explicitBucketBoundaries: DURATION_BUCKETS },
    });
  }

  private readonly onRequest = (message: unknown): void => {
    const { request, response } = message as { request: IncomingMessage; response: Response };
    const method = normalMethod(request.method);
    const scheme = (request.socket as Partial<TLSSocket>).encrypted ? 'https' : 'http';
    const parent = propagation.extract(ROOT_CONTEXT, request.headers);
    const span = this.tracer.startSpan(
      request.method ?? 'GET',
      { kind: SpanKind.SERVER, attributes: requestAttributes(request, method, scheme) },
      parent,
    );
    const route: RPCMetadata = { type: RPCType.HTTP, span };
    response[served] = {
      span,
      route,
      method,
      scheme,
      protocol: request.httpVersion,
      startedAt: performance.now(),
      duration: this.duration,
    };
    response.on('close', endServed);
    context.attach(setRPCMetadata(trace.setSpan(parent, span), route));
  };
}

/** Ends the span when the response is done, sent in full or cut off; `this` is the response. */
function endServed(this: Response): void {
  const record = this[served];
  if (!record) return;
  this[served] = undefined;
  const { span, route, method } = record;
  const status = this.statusCode;
  // A failed request as Lantern defines it; a status below 100 is no valid response either.
  const errorType = status >= MIN_FAILED_HTTP_STATUS || status < 100 ? String(status) : undefined;
  span.setAttribute(HTTP_STATUS_ATTRIBUTES[0], status);
  if (route.route !== undefined) {
    span.setAttribute('http.route', route.route);
    span.updateName(`${method === '_OTHER' ? 'HTTP' : method} ${route.route}`);
  }
  if (errorType !== undefined) {
    span.setAttribute('error.type', errorType);
    span.setStatus({ code: SpanStatusCode.ERROR });
  }
  span.end();
  const attributes: Attributes = {
    'http.request.method': method,
    'url.scheme': record.scheme,
    'network.protocol.version': record.protocol,
    [HTTP_STATUS_ATTRIBUTES[0]]: status,
  };
  if (route.route !== undefined) attributes['http.route'] = route.route;
  if (errorType !== undefined) attributes['error.type'] = errorType;
  record.duration.record((performance.now() - record.startedAt) / 1000, attributes);
}

function normalMethod(method: string | undefined): string {
  if (method === undefined) return 'GET';
  const upper = method.toUpperCase();
  return KNOWN_METHODS.has(upper) ? upper : '_OTHER';
}

const first = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value[0] : value;

/** `host[:port]`, with IPv6 literals in brackets, and the scheme's port when none is given. */
function hostAndPort(host: string, scheme: string): { address: string; port: number } {
  const colon = host.lastIndexOf(':');
  if (colon > host.lastIndexOf(']') && colon > 0)
    return { address: host.slice(0, colon), port: Number(host.slice(colon + 1)) };
  return { address: host, port: scheme === 'https' ? 443 : 80 };
}

function redactedQuery(query: string): string {
  if (!REDACTED_QUERY_PARAMETERS.some((name) => query.includes(name))) return query;
  const parameters = new URLSearchParams(query);
  for (const name of REDACTED_QUERY_PARAMETERS)
    if (parameters.has(name)) parameters.set(name, 'REDACTED');
  return parameters.toString();
}

function requestAttributes(request: IncomingMessage, method: string, scheme: string): Attributes {
  const { headers, socket } = request;
  const url = request.url ?? '/';
  const queryAt = url.indexOf('?');
  const attributes: Attributes = {
    'http.request.method': method,
    'url.scheme': scheme,
    'url.path': queryAt === -1 ? url : url.slice(0, queryAt),
    'network.protocol.version': request.httpVersion,
    'network.peer.address': socket.remoteAddress,
    'network.peer.port': socket.remotePort,
    'user_agent.original': headers['user-agent'],
  };
  if (queryAt !== -1 && queryAt < url.length - 1)
    attributes['url.query'] = redactedQuery(url.slice(queryAt + 1));
  if (method !== request.method) attributes['http.request.method_original'] = request.method;
  const host = first(headers['x-forwarded-host']) ?? headers.host;
  if (host) {
    const { address, port } = hostAndPort(host, first(headers['x-forwarded-proto']) ?? scheme);
    attributes['server.address'] = address;
    if (Number.isInteger(port)) attributes['server.port'] = port;
  }
  const forwardedFor = first(headers['x-forwarded-for']);
  attributes['client.address'] = forwardedFor
    ? forwardedFor.split(',', 1)[0]?.trim()
    : socket.remoteAddress;
  return attributes;
}
