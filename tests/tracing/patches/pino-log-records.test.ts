import { logs, SeverityNumber } from '@opentelemetry/api';
import { PinoInstrumentation } from '@opentelemetry/instrumentation-pino';
import {
  InMemoryLogRecordExporter,
  LoggerProvider,
  SimpleLogRecordProcessor,
} from '@opentelemetry/sdk-logs';
import { createRequire } from 'node:module';
import { Writable } from 'node:stream';
import type pinoType from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import {
  RECORD_STREAM_CLASS,
  withDirectLogRecords,
} from '../../../src/tracing/patches/pino-log-records.ts';
import { expectInstalledWithinRange, installedVersion } from './installed.ts';

const exporter = new InMemoryLogRecordExporter();
logs.setGlobalLoggerProvider(
  new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] }),
);
// pino as it is before any instrumentation hooks it, for the stock instrumentation's shape.
const plainPino = createRequire(import.meta.url)('pino') as typeof pinoType;
const instrumentation = new (withDirectLogRecords(PinoInstrumentation))();
instrumentation.enable();
// Loaded after enable(), through require, so the instrumentation's hook patches it.
const pino = createRequire(import.meta.url)('pino') as typeof pinoType;

afterAll(() => {
  instrumentation.disable();
  logs.disable();
});

/** A logger writing its lines to `lines`, as an app's logger writes to its destination. */
function loggerWith(lines: string[]) {
  const destination = {
    write(line: string) {
      lines.push(line);
    },
  };
  return pino({ level: 'info' }, destination);
}

describe('pino log records sent directly', () => {
  it('reach the logger provider with the level, message, fields and bindings of each line', () => {
    exporter.reset();
    const lines: string[] = [];
    const logger = loggerWith(lines).child({ tenant: 'acme' });
    logger.warn({ order: 7 }, 'order refused');
    logger.error(new Error('disk full'), 'write failed');
    logger.debug('below the level: no line, no record');
    const records = exporter.getFinishedLogRecords();
    expect(lines).toHaveLength(2);
    expect(
      records.map((record) => [record.severityNumber, record.severityText, record.body]),
    ).toEqual([
      [SeverityNumber.WARN, 'warn', 'order refused'],
      [SeverityNumber.ERROR, 'error', 'write failed'],
    ]);
    expect(records[0]?.attributes).toMatchObject({ order: 7, tenant: 'acme' });
    expect(records[1]?.attributes).toMatchObject({ 'exception.message': 'disk full' });
  });

  it('bypass the stream: no line passes through a Writable on its way to a record', () => {
    const logger = loggerWith([]);
    const destination = (logger as unknown as Record<symbol, unknown>)[pino.symbols.streamSym] as {
      streams: { stream: unknown }[];
    };
    expect(destination.streams).toHaveLength(2);
    expect(destination.streams.some((entry) => entry.stream instanceof Writable)).toBe(false);
  });
});

/** The stock instrumentation's record-making stream, as far as the patch uses it. */
interface RecordStream {
  lastLevel?: unknown;
  _write?: (line: string, encoding: string, done: () => void) => void;
  [key: symbol]: unknown;
}

describe('what the pino patch relies on upstream', () => {
  it('is installed within the ranges it was written against', () => {
    expectInstalledWithinRange('pino-log-records');
  });

  it("finds the stock instrumentation's record stream in the logger's multistream, fed by pino", () => {
    const stock = new PinoInstrumentation();
    try {
      const definition = stock.getModuleDefinitions().find(({ name }) => name === 'pino');
      const patched = definition?.patch?.(plainPino, installedVersion('pino')) as typeof pinoType;
      const logger = patched({ level: 'info' }, { write: () => undefined });
      const destination = (logger as unknown as Record<symbol, unknown>)[
        plainPino.symbols.streamSym
      ] as { streams?: { stream: RecordStream }[] } | undefined;
      const records = destination?.streams?.find(
        ({ stream }) => stream.constructor.name === RECORD_STREAM_CLASS,
      )?.stream;
      expect(records?.[Symbol.for('pino.metadata')]).toBe(true);
      logger.warn('pino tells the stream the level');
      expect(records?.lastLevel).toBe(plainPino.levels.values.warn);

      exporter.reset();
      let calledBack = false;
      records?._write?.('{"level":50,"time":1,"msg":"made at once"}', 'utf8', () => {
        calledBack = true;
      });
      expect(calledBack).toBe(true);
      expect(exporter.getFinishedLogRecords().map((record) => record.body)).toEqual([
        'made at once',
      ]);
    } finally {
      stock.disable();
    }
  });
});
