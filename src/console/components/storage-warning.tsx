import { bytes } from '../format.ts';
import type { StorageBudgetStatus } from '../../contracts/api/storage.ts';

/** Below this share of the budget left, the overview warns (the guard deletes at a tenth). */
const WARN_BELOW = 0.2;

/**
 * A warning when less than a fifth of the budget is left to store (of the budget, or of the disk
 * when that is fuller); nothing otherwise.
 */
export function StorageWarning({ budget }: { budget: StorageBudgetStatus | undefined }) {
  if (!budget || budget.leftShare === null || budget.leftShare >= WARN_BELOW) return null;
  return (
    <div class="banner" role="alert" data-warning="storage-budget">
      Storage: {bytes(budget.left)} left
      {budget.limitedBy === 'disk'
        ? ` before the disk reaches 80% (the ${bytes(budget.bytes)} budget is larger than what the disk has free)`
        : ` of the ${bytes(budget.bytes)} budget (${String(Math.round(budget.leftShare * 100))}%)`}
      . The oldest days of logs and spans are deleted before it runs out:{' '}
      <a href="/storage">storage</a>.
    </div>
  );
}
