import { AlertStore } from '../src/alerts/alert-store.ts';
import type { Alert, AlertTransition } from '../src/alerts/alert.ts';

/**
 * An alert store that reads like the real one and keeps nothing: the alert benchmarks evaluate
 * against the local stack without touching its alert state (the engine keeps its own in memory).
 */
export class DiscardingStore extends AlertStore {
  override active(): Promise<Alert[]> {
    return Promise.resolve([]);
  }
  override writeAlerts(): Promise<void> {
    return Promise.resolve();
  }
  override appendHistory(_transitions: readonly AlertTransition[]): Promise<void> {
    return Promise.resolve();
  }
}
