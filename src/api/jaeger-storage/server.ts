import { timingSafeEqual } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import type { Client } from '../../storage/client.ts';
import { toTracesData } from '../../storage/otlp-traces.ts';
import {
  findTraces,
  operationsOf,
  serviceNames,
  spansOfTraces,
} from '../../storage/queries/stored-traces.ts';
import { serviceCalls } from '../../storage/queries/service-calls.ts';
import { dependencyReaderService, traceReaderService } from './protos.ts';
import {
  instant,
  jaegerKind,
  storedKind,
  traceIdHex,
  traceQuery,
  type ProtoTime,
  type ProtoTraceQuery,
} from './requests.ts';

/**
 * Jaeger's Remote Storage API v2 (`jaeger.storage.v2` TraceReader and DependencyReader), served
 * from lantern-spans-*: Jaeger keeps no copy of its own and shows exactly the spans Lantern
 * stores, each with its sampling weight as an attribute. Read-only: Jaeger writes nothing.
 */
export interface JaegerStorageOptions {
  readonly client: Client;
  /** When set, every call must carry `authorization: Bearer <token>`. */
  readonly token?: string | undefined;
  /** Reports a failed call (Elasticsearch down, a refused query) with its method. */
  readonly onError?: (method: string, error: Error) => void;
}

/** What a call fails with: UNAVAILABLE when Elasticsearch could not be reached, else INTERNAL. */
function failure(error: unknown): grpc.ServiceError {
  const e = error as Error;
  const unreachable = ['ConnectionError', 'TimeoutError', 'NoLivingConnectionsError'].includes(
    e.name,
  );
  return Object.assign(new Error(e.message), {
    code: unreachable ? grpc.status.UNAVAILABLE : grpc.status.INTERNAL,
    details: `lantern-spans-*: ${e.message}`,
    metadata: new grpc.Metadata(),
  });
}

function authorizedBy(token: string | undefined) {
  if (token === undefined) return () => true;
  const expected = Buffer.from(`Bearer ${token}`);
  return (metadata: grpc.Metadata): boolean => {
    const given = Buffer.from(String(metadata.get('authorization')[0] ?? ''));
    return given.length === expected.length && timingSafeEqual(given, expected);
  };
}

const unauthenticated = (): grpc.ServiceError =>
  Object.assign(new Error('unauthenticated'), {
    code: grpc.status.UNAUTHENTICATED,
    details: 'a bearer token is required',
    metadata: new grpc.Metadata(),
  });

/**
 * Ends a stream with an error status. grpc-js sends the status when the stream ends after an
 * 'error' event; `destroy()` would end it without one, and Jaeger would wait for its deadline.
 */
function fail(call: grpc.ServerWritableStream<unknown, unknown>, error: grpc.ServiceError): void {
  call.emit('error', error);
}

/** Builds the handlers of both services; every call is checked for the token first. */
export function jaegerStorageHandlers(options: JaegerStorageOptions) {
  const { client } = options;
  const authorized = authorizedBy(options.token);

  function unary<Req, Res>(method: string, answer: (request: Req) => Promise<Res>) {
    return (call: grpc.ServerUnaryCall<Req, Res>, callback: grpc.sendUnaryData<Res>): void => {
      if (!authorized(call.metadata)) {
        callback(unauthenticated());
        return;
      }
      answer(call.request).then(
        (response) => {
          callback(null, response);
        },
        (error: unknown) => {
          options.onError?.(method, error as Error);
          callback(failure(error));
        },
      );
    };
  }

  /** Streams one TracesData per trace, in the order the trace ids come. */
  function traces<Req>(method: string, traceIds: (request: Req) => Promise<string[]>) {
    return (call: grpc.ServerWritableStream<Req, unknown>): void => {
      if (!authorized(call.metadata)) {
        fail(call, unauthenticated());
        return;
      }
      void (async () => {
        for await (const spans of spansOfTraces(client, await traceIds(call.request))) {
          if (call.cancelled) return;
          call.write(toTracesData(spans));
        }
        call.end();
      })().catch((error: unknown) => {
        options.onError?.(method, error as Error);
        fail(call, failure(error));
      });
    };
  }

  const found = async (query: ProtoTraceQuery | undefined) =>
    (await findTraces(client, traceQuery(query))).map((trace) => trace.traceId);

  return {
    traceReader: {
      GetTraces: traces('GetTraces', (r: { query?: { traceId?: Buffer }[] }) =>
        Promise.resolve((r.query ?? []).map((q) => traceIdHex(q.traceId))),
      ),
      FindTraces: traces('FindTraces', (r: { query?: ProtoTraceQuery }) => found(r.query)),
      GetServices: unary('GetServices', async () => ({ services: await serviceNames(client) })),
      GetOperations: unary('GetOperations', async (r: { service?: string; spanKind?: string }) => ({
        operations: (await operationsOf(client, r.service ?? '', storedKind(r.spanKind))).map(
          (op) => ({ name: op.name, spanKind: jaegerKind(op.kind) }),
        ),
      })),
      FindTraceIDs: unary('FindTraceIDs', async (r: { query?: ProtoTraceQuery }) => ({
        traceIds: (await found(r.query)).map((id) => ({ traceId: Buffer.from(id, 'hex') })),
      })),
    },
    dependencyReader: {
      GetDependencies: unary(
        'GetDependencies',
        async (r: { startTime?: ProtoTime; endTime?: ProtoTime }) => {
          const to = instant(r.endTime) ?? new Date().toISOString();
          const from = instant(r.startTime) ?? new Date(Date.parse(to) - 86_400_000).toISOString();
          const calls = await serviceCalls(client, { from, to });
          return {
            dependencies: calls.map((c) => ({
              parent: c.parent,
              child: c.child,
              callCount: String(Math.round(c.calls)),
            })),
          };
        },
      ),
    },
  };
}

/** A gRPC server with both services added, not yet bound. */
export function jaegerStorageServer(options: JaegerStorageOptions): grpc.Server {
  const handlers = jaegerStorageHandlers(options);
  const server = new grpc.Server();
  server.addService(traceReaderService, handlers.traceReader);
  server.addService(dependencyReaderService, handlers.dependencyReader);
  return server;
}
