import type { AlertStore } from '../storage/alert-store.ts';
import type { Client } from '../storage/client.ts';
import { AlertEvaluator, type EvaluationReport, type EvaluatorSettings } from './evaluator.ts';
import type { AlertRule } from './rules.ts';
import { AlertScheduler, type SchedulerSettings } from './scheduler.ts';

export type EngineSettings = Omit<EvaluatorSettings, 'mayWrite'> & SchedulerSettings;

/**
 * The alert engine: an evaluator (observe → next state → commit → notify) run by a scheduler
 * (tick, lease, role). With a lease, the evaluator writes only while this replica holds it.
 */
export class AlertEngine {
  readonly rules: readonly AlertRule[];
  private readonly evaluator: AlertEvaluator;
  private readonly scheduler: AlertScheduler;

  constructor(
    client: Client,
    store: AlertStore,
    rules: readonly AlertRule[],
    settings: EngineSettings,
  ) {
    const { lease } = settings;
    this.rules = rules;
    this.evaluator = new AlertEvaluator(client, store, rules, {
      ...settings,
      mayWrite: lease && (() => lease.held()),
    });
    this.scheduler = new AlertScheduler(this.evaluator, settings);
  }

  /** One evaluation now, outside the schedule (tests, benchmarks). */
  evaluateOnce(): Promise<EvaluationReport> {
    return this.evaluator.evaluate();
  }

  start(): void {
    this.scheduler.start();
  }

  stop(): Promise<void> {
    return this.scheduler.stop();
  }
}
