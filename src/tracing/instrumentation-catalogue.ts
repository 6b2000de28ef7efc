/**
 * Every instrumentation of @opentelemetry/auto-instrumentations-node, by its OTEL_NODE_*_INSTRUMENTATIONS
 * name, with the class its package exports and the modules it patches. Lantern reads this table
 * instead of calling getNodeAutoInstrumentations, which loads every package (and the cloud
 * resource detectors) into every process; here a package is loaded only when it is turned on.
 * tests/tracing/instrumentation-catalogue.test.ts holds the table to the installed packages.
 */
export interface CatalogueEntry {
  /** The instrumentation class the package exports. */
  readonly className: string;
  /**
   * What it patches. None: it works through diagnostics channels or the runtime, and applies
   * to every process (unless `awsLambdaOnly`).
   */
  readonly modules: readonly string[];
  /** It wraps the function handler the Lambda runtime names, so it applies only inside AWS Lambda. */
  readonly awsLambdaOnly?: true;
  /** Why it is not turned on unless named in OTEL_NODE_ENABLED_INSTRUMENTATIONS. */
  readonly offByDefault?: string;
}

const entry = (
  className: string,
  modules: readonly string[],
  offByDefault?: string,
): CatalogueEntry => ({ className, modules, ...(offByDefault && { offByDefault }) });

export const catalogue: Readonly<Record<string, CatalogueEntry>> = {
  amqplib: entry('AmqplibInstrumentation', ['amqplib']),
  'aws-lambda': { ...entry('AwsLambdaInstrumentation', []), awsLambdaOnly: true },
  'aws-sdk': entry('AwsInstrumentation', [
    '@aws-sdk/middleware-stack',
    '@smithy/middleware-stack',
    '@smithy/core',
    '@aws-sdk/smithy-client',
    '@smithy/smithy-client',
  ]),
  bunyan: entry('BunyanInstrumentation', ['bunyan']),
  'cassandra-driver': entry('CassandraDriverInstrumentation', ['cassandra-driver']),
  connect: entry('ConnectInstrumentation', ['connect']),
  cucumber: entry('CucumberInstrumentation', ['@cucumber/cucumber']),
  dataloader: entry('DataloaderInstrumentation', ['dataloader']),
  dns: entry('DnsInstrumentation', ['dns', 'dns/promises'], 'a span per lookup'),
  express: entry('ExpressInstrumentation', ['express']),
  fs: entry('FsInstrumentation', ['fs', 'fs/promises'], 'a span per file operation'),
  'generic-pool': entry('GenericPoolInstrumentation', ['generic-pool']),
  graphql: entry('GraphQLInstrumentation', ['graphql']),
  grpc: entry('GrpcInstrumentation', ['@grpc/grpc-js']),
  hapi: entry('HapiInstrumentation', ['@hapi/hapi']),
  'host-metrics': entry('HostMetricsInstrumentation', [], 'host metrics belong to the host'),
  http: entry('HttpInstrumentation', ['https', 'http']),
  ioredis: entry('IORedisInstrumentation', ['ioredis']),
  kafkajs: entry('KafkaJsInstrumentation', ['kafkajs']),
  knex: entry('KnexInstrumentation', ['knex']),
  koa: entry('KoaInstrumentation', ['koa']),
  'lru-memoizer': entry('LruMemoizerInstrumentation', ['lru-memoizer']),
  memcached: entry('MemcachedInstrumentation', ['memcached']),
  mongodb: entry('MongoDBInstrumentation', ['mongodb']),
  mongoose: entry('MongooseInstrumentation', ['mongoose']),
  mysql2: entry('MySQL2Instrumentation', ['mysql2']),
  mysql: entry('MySQLInstrumentation', ['mysql']),
  'nestjs-core': entry('NestInstrumentation', ['@nestjs/core']),
  net: entry('NetInstrumentation', ['net'], 'a span per socket'),
  openai: entry('OpenAIInstrumentation', ['openai']),
  oracledb: entry('OracleInstrumentation', ['oracledb']),
  pg: entry('PgInstrumentation', ['pg', 'pg-pool']),
  pino: entry('PinoInstrumentation', ['pino']),
  redis: entry('RedisInstrumentation', ['redis', '@redis/client', '@node-redis/client']),
  restify: entry('RestifyInstrumentation', ['restify']),
  // Express 5 runs on `router`: its spans repeated express's ("middleware - patched", a second
  // "request handler") on every request.
  router: entry('RouterInstrumentation', ['router'], "express's spans again"),
  'runtime-node': entry('RuntimeNodeInstrumentation', []),
  'socket.io': entry('SocketIoInstrumentation', ['socket.io']),
  tedious: entry('TediousInstrumentation', ['tedious']),
  undici: entry('UndiciInstrumentation', []),
  winston: entry('WinstonInstrumentation', ['winston']),
};

/** The package an instrumentation ships in. */
export const packageOf = (name: string): string => `@opentelemetry/instrumentation-${name}`;
