import { ExportResultCode } from '@opentelemetry/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { warn, warnOnce } from '../../src/tracing/diagnostics.ts';
import { ReportingExporter } from '../../src/tracing/export-failures.ts';

afterEach(() => {
  vi.restoreAllMocks();
});

/** The lines the bootstrap writes to stderr while `act` runs. */
function stderrOf(act: () => void): string[] {
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
  act();
  return stderr.mock.calls.map(([line]) => String(line));
}

describe("the bootstrap's one logger", () => {
  it('prefixes every line with [lantern]; warn says it each time, warnOnce once per key', () => {
    const lines = stderrOf(() => {
      warn('collector away');
      warn('collector away');
      warnOnce('bad setting A', 'diagnostics-test-key');
      warnOnce('bad setting B', 'diagnostics-test-key');
    });
    expect(lines).toEqual([
      '[lantern] collector away\n',
      '[lantern] collector away\n',
      '[lantern] bad setting A\n',
    ]);
  });

  it('carries the export failures of an exporter left to its default output', () => {
    let answer: ((result: { code: ExportResultCode }) => void) | undefined;
    const sending = {
      export: (_items: unknown[], done: (result: { code: ExportResultCode }) => void) => {
        answer = done;
      },
      shutdown: () => Promise.resolve(),
    };
    const exporter = new ReportingExporter('logs', 'http://collector:4318/v1/logs', sending);
    const lines = stderrOf(() => {
      exporter.export([], () => undefined);
      answer?.({ code: ExportResultCode.FAILED }); // after export() returned: it was sent
    });
    expect(lines).toEqual([
      expect.stringMatching(
        /^\[lantern\] exporting logs to http:\/\/collector:4318\/v1\/logs failed/,
      ),
    ]);
  });
});
