import type { AlertLease } from '../storage/alert-lease.ts';

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
 * Runs an evaluation now and then every interval: each tick claims the lease (where there is
 * one), tells a change of role, and evaluates only while this replica holds it. A failure is
 * warned once until it changes or recovers; ticks never overlap (the next is set when one ends).
 */
export class AlertScheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private lastError: string | undefined;
  private role: EngineRole | undefined;

  private readonly evaluation: ScheduledEvaluation;
  private readonly settings: SchedulerSettings;

  constructor(evaluation: ScheduledEvaluation, settings: SchedulerSettings) {
    this.evaluation = evaluation;
    this.settings = settings;
  }

  /** Evaluates now and then every interval until stop(); failures are reported, never thrown. */
  start(): void {
    const tick = (): void => {
      const started = performance.now();
      const took = (): number => (performance.now() - started) / 1000;
      this.running = this.tickOnce()
        .then((outcome) => {
          if (outcome === 'ok') this.settings.evaluated?.('ok', took());
          this.failed(undefined);
        })
        .catch((error: unknown) => {
          this.settings.evaluated?.('failed', took());
          this.failed((error as Error).message);
        })
        .finally(() => {
          if (this.timer !== undefined) this.timer = setTimeout(tick, this.settings.intervalMs);
        });
    };
    this.timer = setTimeout(tick, 0);
  }

  /** Stops ticking; a lease held is given up, so another replica takes over at once. */
  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
    try {
      await this.settings.lease?.release();
    } catch (error) {
      this.settings.warn(`alert lease not released (it expires): ${(error as Error).message}`);
    }
  }

  /**
   * One tick: with a lease, claim it first and stand by unless held. A replica that takes the
   * lease over starts from the state the last holder stored, not from its own memory.
   */
  private async tickOnce(): Promise<'ok' | 'standby'> {
    const { lease } = this.settings;
    const held = lease ? await lease.claim() : true;
    this.become(held ? 'evaluating' : 'standby');
    if (!held) return 'standby';
    await this.evaluation.evaluate();
    return 'ok';
  }

  private become(role: EngineRole): void {
    if (role === this.role) return;
    if (role === 'evaluating') this.evaluation.forget();
    this.role = role;
    this.settings.roleChanged?.(role, this.settings.lease?.current?.holder);
  }

  /** Warns of a new failure once, and of the recovery from one. */
  private failed(message: string | undefined): void {
    if (message === undefined && this.lastError !== undefined)
      this.settings.warn('alert evaluation recovered');
    else if (message !== undefined && message !== this.lastError)
      this.settings.warn(`alert evaluation failed: ${message}`);
    this.lastError = message;
  }
}
