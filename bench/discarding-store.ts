import { AlertStore } from '../src/storage/alert-store.ts';
import type { Alert } from '../src/contracts/alert.ts';

/**
 * An alert store that reads like the real one and keeps nothing: the alert benchmarks evaluate
 * against the local stack without touching its alert state (the engine keeps its own in memory).
 */
export class DiscardingStore extends AlertStore {
  override active(): Promise<Alert[]> {
    return Promise.resolve([]);
  }
  override commit(): Promise<{ historySaved: boolean }> {
    return Promise.resolve({ historySaved: true });
  }
}
