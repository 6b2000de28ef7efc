import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { TracerProvider, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { describe, expect, it } from 'vitest';
import { ReportingExporter } from '../../src/tracing/export-failures.ts';

const URL = 'http://collector:4318';
const refused = { code: ExportResultCode.FAILED, error: new Error('ECONNREFUSED') };
const succeeded = { code: ExportResultCode.SUCCESS };

/** An exporter that answers each export when the test says, after export() has returned. */
function collectorInFlight() {
  const pending: ((result: ExportResult) => void)[] = [];
  return {
    pending,
    exporter: {
      export(_items: unknown[], done: (result: ExportResult) => void): void {
        pending.push(done);
      },
      shutdown: () => Promise.resolve(),
    },
  };
}

function reporting(clock: { now: number } = { now: 0 }) {
  const lines: string[] = [];
  const collector = collectorInFlight();
  const exporter = new ReportingExporter('spans', URL, collector.exporter, {
    now: () => clock.now,
    write: (line) => lines.push(line),
  });
  /** Begins an export; returns how to answer it. */
  const begin = (): ((result: ExportResult) => void) => {
    exporter.export([], () => undefined);
    return collector.pending.at(-1) ?? (() => undefined);
  };
  return { lines, exporter, begin };
}

const failedLine = /^exporting spans to http:\/\/collector:4318 failed \(ECONNREFUSED\)/;

describe('export failures are reported, and so is the recovery', () => {
  it('says when exports fail, reminds once a minute, says when they recover, and reports a later outage again', () => {
    const clock = { now: 0 };
    const { lines, begin } = reporting(clock);
    const exportAt = (ms: number, result: ExportResult): void => {
      clock.now = ms;
      begin()(result);
    };
    exportAt(0, succeeded);
    for (let ms = 1_000; ms <= 90_000; ms += 1_000) exportAt(ms, refused); // 90 failures
    exportAt(95_000, succeeded);
    exportAt(200_000, refused);
    expect(lines).toEqual([
      expect.stringMatching(failedLine),
      'exporting spans to http://collector:4318 still failing (ECONNREFUSED): 61 exports failed in 60 s',
      'exporting spans to http://collector:4318 recovered after 94 s (90 exports failed)',
      expect.stringMatching(/^exporting spans to http:\/\/collector:4318 failed/),
    ]);
  });

  it('takes a failure of an export begun before the recovery for part of the outage that ended', () => {
    const { lines, begin } = reporting();
    begin()(refused);
    const retrying = begin(); // begun while the Collector is away: it retries until its time runs out
    begin()(succeeded);
    retrying({ code: ExportResultCode.FAILED, error: new Error('Request timed out') });
    expect(lines).toEqual([
      expect.stringMatching(failedLine),
      'exporting spans to http://collector:4318 recovered after 0 s (1 exports failed)',
    ]);
    begin()(refused); // begun after the recovery: a new outage
    expect(lines).toHaveLength(3);
    expect(lines[2]).toMatch(failedLine);
  });

  it('starts no outage with an export refused before it was sent, but counts one within an outage', () => {
    const lines: string[] = [];
    let limitReached = false;
    const limit = {
      code: ExportResultCode.FAILED,
      error: new Error('Concurrent export limit reached'),
    };
    const collector = collectorInFlight();
    const exporter = new ReportingExporter(
      'spans',
      URL,
      {
        export(items: unknown[], done: (result: ExportResult) => void): void {
          if (limitReached) done(limit);
          else collector.exporter.export(items, done);
        },
        shutdown: () => Promise.resolve(),
      },
      { now: () => 0, write: (line) => lines.push(line) },
    );
    limitReached = true; // exports still retrying fill the exporter's slots
    exporter.export([], () => undefined);
    expect(lines).toEqual([]);
    limitReached = false;
    exporter.export([], () => undefined);
    collector.pending.at(-1)?.(refused);
    limitReached = true;
    exporter.export([], () => undefined);
    limitReached = false;
    exporter.export([], () => undefined);
    collector.pending.at(-1)?.(succeeded);
    expect(lines).toEqual([
      expect.stringMatching(failedLine),
      'exporting spans to http://collector:4318 recovered after 0 s (2 exports failed)',
    ]);
  });
});

describe('the OTLP exporter, as the report reads it (fails on an upgrade that changes it)', () => {
  it('refuses an export beyond its concurrency limit before export() returns, and sends the others later', async () => {
    const provider = new TracerProvider();
    const span = provider.getTracer('test').startSpan('one');
    span.end();
    const otlp = new OTLPTraceExporter({
      url: 'http://127.0.0.1:9/v1/traces', // nothing listens: refused
      concurrencyLimit: 1,
      timeoutMillis: 200,
    });
    const answers: string[] = [];
    const sent = new Promise<void>((resolve) => {
      otlp.export([span as unknown as ReadableSpan], (result) => {
        answers.push(`sent: ${result.error?.message ?? String(result.code)}`);
        resolve();
      });
    });
    answers.push('export() returned');
    otlp.export([span as unknown as ReadableSpan], (result) => {
      answers.push(result.error?.message ?? String(result.code));
    });
    answers.push('export() returned');
    expect(answers).toEqual([
      'export() returned',
      'Concurrent export limit reached',
      'export() returned',
    ]);
    await sent;
    expect(answers.slice(3)).toEqual([expect.stringMatching(/^sent: .*ECONNREFUSED/)]);
    await otlp.shutdown();
    await provider.shutdown();
  });
});
