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
import { withDirectLogRecords } from '../../src/tracing/pino-log-records.ts';

const exporter = new InMemoryLogRecordExporter();
logs.setGlobalLoggerProvider(
  new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] }),
);
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
