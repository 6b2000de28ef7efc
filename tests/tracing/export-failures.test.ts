import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { describe, expect, it } from 'vitest';
import { ReportingExporter } from '../../src/tracing/export-failures.ts';

/** An exporter whose every export succeeds or fails as `state.up` says. */
function collectorThat(state: { up: boolean }) {
  return {
    export(_items: unknown[], done: (result: ExportResult) => void): void {
      done(
        state.up
          ? { code: ExportResultCode.SUCCESS }
          : { code: ExportResultCode.FAILED, error: new Error('ECONNREFUSED') },
      );
    },
    shutdown: () => Promise.resolve(),
  };
}

describe('export failures are reported, and so is the recovery', () => {
  it('says when exports fail, reminds once a minute, says when they recover, and reports a later outage again', () => {
    const state = { up: true };
    const clock = { now: 0 };
    const lines: string[] = [];
    const exporter = new ReportingExporter('spans', 'http://collector:4318', collectorThat(state), {
      now: () => clock.now,
      write: (line) => lines.push(line),
    });
    const exportAt = (ms: number): void => {
      clock.now = ms;
      exporter.export([], () => undefined);
    };
    exportAt(0);
    state.up = false;
    for (let ms = 1_000; ms <= 90_000; ms += 1_000) exportAt(ms); // 90 failures
    state.up = true;
    exportAt(95_000);
    state.up = false;
    exportAt(200_000);
    expect(lines).toEqual([
      expect.stringMatching(/^exporting spans to http:\/\/collector:4318 failed \(ECONNREFUSED\)/),
      'exporting spans to http://collector:4318 still failing (ECONNREFUSED): 61 exports failed in 60 s',
      'exporting spans to http://collector:4318 recovered after 94 s (90 exports failed)',
      expect.stringMatching(/^exporting spans to http:\/\/collector:4318 failed/),
    ]);
  });
});
