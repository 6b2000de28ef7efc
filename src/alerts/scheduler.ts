import type { AlertLease } from '../storage/alert-lease.ts';
import { LeasedDuty } from '../storage/leased-duty.ts';

/** What a replica's engine does: evaluates (it holds the lease, or runs alone) or stands by. */
export type EngineRole = 'evaluating' | 'standby';

/** The evaluation the scheduler runs, and what it tells it when this replica takes over. */
export interface ScheduledEvaluation {
  evaluate(): Promise<unknown>;
  /** Called when this replica starts evaluating: start from the stored state, not from memory. */
  forget(): void;
}

export interface SchedulerSettings {
  readonly intervalMs: number;
  /** Where problems go (the service's logger). */
  readonly warn: (message: string) => void;
  /** Told how each scheduled evaluation went and how long it took (the service's metrics). */
  readonly evaluated?: ((outcome: 'ok' | 'failed', seconds: number) => void) | undefined;
  /**
   * Shared with other replicas: only its holder evaluates and notifies. Without one, this
   * replica assumes it is alone.
   */
  readonly lease?: AlertLease | undefined;
  /** Told when this replica starts or stops evaluating (the service's logger). */
  readonly roleChanged?: ((role: EngineRole, holder: string | undefined) => void) | undefined;
}

/**
 * Runs an evaluation now and then every interval, only while this replica holds the alert lease
 * (the {@link LeasedDuty} storage maintenance runs on too). A replica that takes the lease over
 * starts from the state the last holder stored, not from its own memory.
 */
export class AlertScheduler {
  private readonly duty: LeasedDuty;

  constructor(evaluation: ScheduledEvaluation, settings: SchedulerSettings) {
    const { roleChanged } = settings;
    this.duty = new LeasedDuty(
      {
        run: () => evaluation.evaluate(),
        forget: () => {
          evaluation.forget();
        },
      },
      {
        name: 'alert evaluation',
        intervalMs: settings.intervalMs,
        warn: settings.warn,
        lease: settings.lease,
        ran: settings.evaluated,
        roleChanged:
          roleChanged &&
          ((held, holder) => {
            roleChanged(held ? 'evaluating' : 'standby', holder);
          }),
      },
    );
  }

  /** Evaluates now and then every interval until stop(); failures are reported, never thrown. */
  start(): void {
    this.duty.start();
  }

  /** Stops ticking; a lease held is given up, so another replica takes over at once. */
  stop(): Promise<void> {
    return this.duty.stop();
  }
}
