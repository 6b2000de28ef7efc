import { AlertStore } from '../../src/storage/alert-store.ts';
import type { AlertTransition } from '../../src/contracts/alert.ts';
import { AlertEngine } from '../../src/alerts/engine.ts';
import type { EvaluationReport } from '../../src/alerts/evaluator.ts';
import type { AlertRule } from '../../src/alerts/rules.ts';
import { es } from '../../tools/harness/stores.ts';

/**
 * An alert engine over the test stack's Elasticsearch whose clock the test sets: seeded data
 * has fixed times, so each evaluation runs at a chosen one (no query offset, no Alertmanager; a
 * warning fails the test).
 */
export function clockedEngine(rules: readonly AlertRule[]) {
  const clock = { now: 0 };
  const engine = new AlertEngine(es, new AlertStore(es), rules, {
    intervalMs: 1000,
    queryOffsetMs: 0,
    now: () => clock.now,
    warn: (message) => {
      throw new Error(message);
    },
  });
  const names = new Set(rules.map((rule) => rule.name));
  return {
    /** One evaluation at `at`, and the transitions of these rules only (the stack is shared). */
    evaluateAt: async (at: number): Promise<AlertTransition[]> => {
      clock.now = at;
      const report: EvaluationReport = await engine.evaluateOnce();
      return report.transitions.filter((t) => names.has(t.rule));
    },
  };
}
