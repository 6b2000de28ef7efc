import { errors, type Client } from '@elastic/elasticsearch';
import { indices } from '../contracts/indices.ts';

/** The one lease document: which replica evaluates, and until when (epoch ms). */
export interface LeaseHolder {
  readonly holder: string;
  readonly expiresAt: number;
}

export interface LeaseSettings {
  /** This replica's name (LANTERN_REPLICA_ID): stable across its restarts. */
  readonly holder: string;
  /** How long a claim lasts without renewal: another replica takes over after that. */
  readonly ttlMs: number;
  readonly now: () => number;
  /**
   * Which lease of the lease index: the alert engine's (the default), or another duty that one
   * replica at a time must do, chosen the same way (storage maintenance).
   */
  readonly id?: string | undefined;
}

const ALERT_ENGINE = 'alert-engine';

const status = (error: unknown): number | undefined =>
  error instanceof errors.ResponseError ? error.meta.statusCode : undefined;

/**
 * Which analysis replica evaluates the rules and notifies: the holder of one document in
 * Elasticsearch. Every replica claims it on each tick; the holder renews it, the others take it
 * once it has expired. Every write names the sequence number and primary term it read
 * (optimistic concurrency), so of two replicas racing for a free lease exactly one wins and the
 * other gets 409. Elasticsearch's get is real-time: a claim sees the last write without a
 * refresh. Expiry is read on the claimer's clock: replicas' clocks must agree to well within
 * the lease's length (NTP does).
 */
export class AlertLease {
  private readonly client: Client;
  private readonly settings: LeaseSettings;
  /** Until when this replica holds the lease, as far as it knows (0: it does not). */
  private heldUntil = 0;
  private lastSeen: LeaseHolder | undefined;

  constructor(client: Client, settings: LeaseSettings) {
    this.client = client;
    this.settings = settings;
  }

  private get id(): string {
    return this.settings.id ?? ALERT_ENGINE;
  }

  get holder(): string {
    return this.settings.holder;
  }

  /** Who held the lease when last read (this replica or another), if anyone. */
  get current(): LeaseHolder | undefined {
    return this.lastSeen;
  }

  /** Whether this replica still holds the lease now: checked again before an evaluation writes. */
  held(): boolean {
    return this.settings.now() < this.heldUntil;
  }

  /**
   * Renews the lease when this replica holds it, takes it when it is free or expired. Resolves
   * whether this replica holds it afterwards; throws when Elasticsearch cannot answer (then
   * nobody can be sure, and this replica evaluates nothing until it can).
   */
  async claim(): Promise<boolean> {
    const now = this.settings.now();
    this.heldUntil = 0;
    const read = await this.read();
    if (read && read.lease.holder !== this.settings.holder && read.lease.expiresAt > now) {
      this.lastSeen = read.lease;
      return false;
    }
    const lease: LeaseHolder = {
      holder: this.settings.holder,
      expiresAt: now + this.settings.ttlMs,
    };
    try {
      if (read === undefined) {
        await this.client.create({
          index: indices.alertLease.index,
          id: this.id,
          document: lease,
        });
      } else {
        await this.client.index({
          index: indices.alertLease.index,
          id: this.id,
          document: lease,
          if_seq_no: read.seqNo,
          if_primary_term: read.primaryTerm,
        });
      }
    } catch (error) {
      if (status(error) !== 409) throw error;
      // Another replica wrote first.
      this.lastSeen = (await this.read())?.lease;
      return false;
    }
    this.lastSeen = lease;
    this.heldUntil = lease.expiresAt;
    return true;
  }

  /** Gives the lease up when this replica holds it (a clean stop): another takes over at once. */
  async release(): Promise<void> {
    if (!this.held()) return;
    this.heldUntil = 0;
    const read = await this.read();
    if (read?.lease.holder !== this.settings.holder) return;
    try {
      await this.client.delete({
        index: indices.alertLease.index,
        id: this.id,
        if_seq_no: read.seqNo,
        if_primary_term: read.primaryTerm,
      });
    } catch (error) {
      if (status(error) !== 409 && status(error) !== 404) throw error;
    }
  }

  private async read(): Promise<
    { lease: LeaseHolder; seqNo: number; primaryTerm: number } | undefined
  > {
    try {
      const doc = await this.client.get<LeaseHolder>({
        index: indices.alertLease.index,
        id: this.id,
      });
      if (!doc._source || doc._seq_no === undefined || doc._primary_term === undefined)
        return undefined;
      return { lease: doc._source, seqNo: doc._seq_no, primaryTerm: doc._primary_term };
    } catch (error) {
      if (status(error) === 404) return undefined;
      throw error;
    }
  }
}
