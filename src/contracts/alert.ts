import type { Severity } from './severity.ts';

export type AlertState = 'pending' | 'firing' | 'resolved';

/** An alert as the API returns it and Elasticsearch stores it (times in RFC 3339). */
export interface Alert {
  readonly id: string;
  readonly rule: string;
  readonly severity: Severity;
  readonly severityRank: number;
  readonly state: AlertState;
  readonly service: string | null;
  readonly summary: string;
  readonly description: string;
  readonly value: number;
  readonly threshold: number;
  /** When the condition first held in this episode. */
  readonly startsAt: string;
  /** When it resolved; null while pending or firing. */
  readonly endsAt: string | null;
  readonly updatedAt: string;
  /** Last time the condition held (drives keep_firing_for). */
  readonly lastActiveAt: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly exemplarTraceIds: readonly string[];
}

/** One state change, kept forever in the alert's history. */
export interface AlertTransition {
  readonly id: string;
  readonly rule: string;
  readonly service: string | null;
  readonly from: AlertState | 'inactive';
  readonly to: AlertState | 'inactive';
  readonly at: string;
  readonly value: number;
}
