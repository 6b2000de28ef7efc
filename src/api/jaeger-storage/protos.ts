import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

/** proto/ beside src/ (or dist/) in a checkout and in the container image. */
const protoDir = fileURLToPath(new URL('../../../proto/', import.meta.url));

/**
 * Jaeger's Remote Storage API v2 (`jaeger.storage.v2`, from the jaeger-idl release Jaeger 2.12
 * is built with) and the OTLP trace messages it returns, as @grpc/proto-loader loads them:
 * camelCase fields, bytes as Buffers, 64-bit integers as decimal strings, a oneof's case named.
 */
const definition = protoLoader.loadSync(
  ['jaeger/storage/v2/trace_storage.proto', 'jaeger/storage/v2/dependency_storage.proto'],
  { includeDirs: [protoDir], longs: String, enums: String, defaults: false, oneofs: true },
);

const root = grpc.loadPackageDefinition(definition) as unknown as {
  jaeger: {
    storage: {
      v2: {
        TraceReader: grpc.ServiceClientConstructor;
        DependencyReader: grpc.ServiceClientConstructor;
      };
    };
  };
};

export const traceReaderService = root.jaeger.storage.v2.TraceReader.service;
export const dependencyReaderService = root.jaeger.storage.v2.DependencyReader.service;
