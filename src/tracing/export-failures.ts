import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { warn } from './diagnostics.ts';

interface Exporter<T> {
  export(items: T[], resultCallback: (result: ExportResult) => void): void;
  shutdown(): Promise<void>;
  forceFlush?(): Promise<void>;
}

export interface ReportingOptions {
  readonly now?: () => number;
  /** Where each line goes: the bootstrap's logger unless a test listens. */
  readonly write?: (line: string) => void;
}

/** While an outage lasts, at most one "still failing" line this often. */
const REMIND_EVERY_MS = 60_000;

/**
 * An OTLP exporter that says (through the bootstrap's logger) when its exports start failing (Collector down, refused,
 * timed out), naming the signal and the URL; once a minute while that lasts; and when they
 * recover, with how long and how many. The SDK's own diagnostics are silent unless
 * OTEL_LOG_LEVEL is set. A forwarding class, not a view of the exporter: the SDK's exporters
 * keep #private fields, which a view cannot reach.
 */
export class ReportingExporter<T> implements Exporter<T> {
  private readonly signal: string;
  private readonly url: string;
  private readonly exporter: Exporter<T>;
  private readonly now: () => number;
  private readonly write: (line: string) => void;
  private outage: { since: number; failed: number; remindedAt: number } | undefined;
  /** Exports begun so far, and how many of them had begun when the last outage ended. */
  private begun = 0;
  private begunBeforeRecovery = 0;

  constructor(signal: string, url: string, exporter: Exporter<T>, options: ReportingOptions = {}) {
    this.signal = signal;
    this.url = url;
    this.exporter = exporter;
    this.now = options.now ?? Date.now;
    this.write = options.write ?? warn;
  }

  /**
   * Only a failure that tells of the Collector starts an outage: that of an export sent
   * (not refused before sending, as the exporter does beyond its concurrency limit, which
   * exports still retrying fill) and begun after the last recovery (not one that retried
   * through the outage until its time ran out). Any failure counts within an outage.
   */
  export(items: T[], resultCallback: (result: ExportResult) => void): void {
    const ordinal = ++this.begun;
    let sent = false;
    this.exporter.export(items, (result) => {
      if (result.code === ExportResultCode.SUCCESS) this.succeeded();
      else if (this.outage !== undefined || (sent && ordinal > this.begunBeforeRecovery)) {
        this.failed(result.error?.message ?? 'unknown error');
      }
      resultCallback(result);
    });
    // The exporter answers an export it refuses at once, one it sends later.
    sent = true;
  }

  shutdown(): Promise<void> {
    return this.exporter.shutdown();
  }

  forceFlush(): Promise<void> {
    return this.exporter.forceFlush?.() ?? Promise.resolve();
  }

  private failed(reason: string): void {
    const now = this.now();
    if (this.outage === undefined) {
      this.outage = { since: now, failed: 1, remindedAt: now };
      this.write(
        `exporting ${this.signal} to ${this.url} failed (${reason}); Lantern keeps the ` +
          'application running and drops what it cannot send',
      );
      return;
    }
    this.outage.failed += 1;
    if (now - this.outage.remindedAt < REMIND_EVERY_MS) return;
    this.outage.remindedAt = now;
    this.write(
      `exporting ${this.signal} to ${this.url} still failing (${reason}): ` +
        `${this.outage.failed} exports failed in ${seconds(now - this.outage.since)}`,
    );
  }

  private succeeded(): void {
    if (this.outage === undefined) return;
    const { since, failed } = this.outage;
    this.outage = undefined;
    this.begunBeforeRecovery = this.begun;
    this.write(
      `exporting ${this.signal} to ${this.url} recovered after ${seconds(this.now() - since)} ` +
        `(${failed} exports failed)`,
    );
  }
}

const seconds = (ms: number): string => `${Math.round(ms / 1000)} s`;
