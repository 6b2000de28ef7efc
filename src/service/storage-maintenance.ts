/**
 * Storage maintenance, on a schedule, in one replica at a time (the holder of the
 * `storage-maintenance` lease, chosen like the alert engine's): retention, the disk guard,
 * alert history retention, and force-merging finished days. Whatever fails is reported (in the
 * log, and as a deletion record the API and the alert engine see) and tried again next round;
 * it never stops the service.
 */
import { formatBytes } from '../contracts/byte-size.ts';
import type { StorageDeletion } from '../contracts/storage-deletion.ts';
import type { AlertLease } from '../storage/alert-lease.ts';
import type { Client } from '../storage/client.ts';
import { LeasedDuty } from '../storage/leased-duty.ts';
import { deleteAlertHistoryBefore } from '../storage/maintenance/alert-history-retention.ts';
import { forceMergeDay } from '../storage/maintenance/daily-indices.ts';
import { recordDeletions } from '../storage/maintenance/deletions-log.ts';
import { toForceMerge, type StoredDailyIndex } from '../storage/maintenance/plan.ts';
import { maintenanceRound, type RoundReport, type RoundSettings } from './storage-round.ts';

const DAY_MS = 86_400_000;
/** Alert history is trimmed by a query over its documents: hourly is plenty for days. */
const HISTORY_EVERY_MS = 3_600_000;
/** A merge that failed is tried again after this long. */
const MERGE_RETRY_MS = 3_600_000;

export interface MaintenanceSettings extends RoundSettings {
  readonly intervalMs: number;
  readonly alertRetentionDays: number;
  /** Shared with other replicas: only its holder maintains. Without one, this one is alone. */
  readonly lease?: AlertLease | undefined;
  readonly log: {
    readonly info: (fields: object, message: string) => void;
    readonly warn: (message: string) => void;
  };
}

export class StorageMaintenance {
  private readonly duty: LeasedDuty;
  private merging: string | undefined;
  /** Merges that failed, and when: skipped for a while, so one index cannot hold up the rest. */
  private readonly mergeFailed = new Map<string, number>();
  private historyTrimmedAt = 0;
  /** Daily indices this replica saw last round, since it last took the lease. */
  private seen: readonly StoredDailyIndex[] | undefined;
  /** The last refusal recorded per index: a refusal repeated every round is recorded once. */
  private readonly refusals = new Map<string, string>();
  private budgetProblem: string | undefined;

  private readonly client: Client;
  private readonly settings: MaintenanceSettings;

  constructor(client: Client, settings: MaintenanceSettings) {
    this.client = client;
    this.settings = settings;
    this.duty = new LeasedDuty(
      {
        run: () => this.round(),
        // What another holder deleted meanwhile was not deleted outside Lantern.
        forget: () => {
          this.seen = undefined;
        },
      },
      {
        name: 'storage maintenance',
        intervalMs: settings.intervalMs,
        warn: settings.log.warn,
        lease: settings.lease,
      },
    );
  }

  /** A round now, then one every interval until stop(); rounds never overlap. */
  start(): void {
    this.duty.start();
  }

  /** Stops the rounds; a lease held is given up, so another replica takes over at once. */
  stop(): Promise<void> {
    return this.duty.stop();
  }

  /** One round (this replica holds the lease); resolves once its deletions are recorded. */
  private async round(): Promise<void> {
    const report = await maintenanceRound(this.client, this.settings);
    const outside = this.deletedOutside(report);
    this.seen = report.stored;
    const news = [...outside, ...report.deletions].filter((d) => this.isNews(d));
    for (const d of news) {
      if (d.outcome === 'deleted') this.settings.log.info({ deletion: d }, `deleted ${d.index}`);
      else this.settings.log.warn(`could not delete ${d.index} (retried next round): ${d.detail}`);
    }
    await recordDeletions(this.client, news);
    if (report.budgetProblem !== this.budgetProblem && report.budgetProblem)
      this.settings.log.warn(
        `LANTERN_STORAGE_BUDGET ${report.budgetProblem}: the disk guard alone holds storage`,
      );
    this.budgetProblem = report.budgetProblem;
    if (report.stillOver)
      this.settings.log.warn(
        `storage over its guard with only today's data left (${formatBytes(report.lanternBytes)} of a ${formatBytes(report.budgetBytes)} budget): nothing older to delete`,
      );
    await this.trimAlertHistory();
    this.mergeNext(report);
  }

  /**
   * Indices seen last round that are gone though this replica did not delete them: someone
   * deleted them by hand (today's too; the Collector makes it again with its next record).
   */
  private deletedOutside(report: RoundReport): StorageDeletion[] {
    if (!this.seen) return [];
    const now = new Set([
      ...report.stored.map((index) => index.index),
      ...report.deletions.map((d) => d.index),
    ]);
    return this.seen
      .filter((index) => !now.has(index.index))
      .map((index) => ({
        at: new Date(this.settings.now()).toISOString(),
        index: index.index,
        signal: index.signal,
        day: index.day,
        bytes: index.bytes,
        reason: 'outside',
        outcome: 'deleted',
        detail: 'deleted outside Lantern (not by retention or the disk guard)',
      }));
  }

  /** A deletion, or a refusal different from the last one of the same index. */
  private isNews(deletion: StorageDeletion): boolean {
    if (deletion.outcome === 'deleted') {
      this.refusals.delete(deletion.index);
      return true;
    }
    if (this.refusals.get(deletion.index) === deletion.detail) return false;
    this.refusals.set(deletion.index, deletion.detail);
    return true;
  }

  private async trimAlertHistory(): Promise<void> {
    const now = this.settings.now();
    if (now - this.historyTrimmedAt < HISTORY_EVERY_MS) return;
    const deleted = await deleteAlertHistoryBefore(
      this.client,
      now - this.settings.alertRetentionDays * DAY_MS,
    );
    this.historyTrimmedAt = now;
    if (deleted > 0)
      this.settings.log.info(
        { deleted, retentionDays: this.settings.alertRetentionDays },
        'alert history past its retention deleted',
      );
  }

  /** Merges the oldest unmerged finished day, one at a time, apart from the rounds. */
  private mergeNext(report: RoundReport): void {
    if (this.merging !== undefined) return;
    const started = this.settings.now();
    const next = toForceMerge(report.stored, report.protectedFrom).find(
      (index) => started - (this.mergeFailed.get(index.index) ?? 0) >= MERGE_RETRY_MS,
    );
    if (!next) return;
    this.merging = next.index;
    forceMergeDay(this.client, next.index)
      .then(() => {
        this.settings.log.info(
          {
            index: next.index,
            segments: next.segments,
            seconds: (this.settings.now() - started) / 1000,
          },
          'finished day merged into one segment',
        );
      })
      .catch((error: unknown) => {
        this.mergeFailed.set(next.index, this.settings.now());
        this.settings.log.warn(
          `force-merge of ${next.index} failed (retried): ${(error as Error).message}`,
        );
      })
      .finally(() => {
        this.merging = undefined;
      });
  }
}
