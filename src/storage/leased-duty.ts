import type { AlertLease } from './alert-lease.ts';

/** What one replica at a time does on a schedule: the alert evaluation, storage maintenance. */
export interface Duty {
  /** Done on each tick while this replica holds the lease (or has none: it is alone). */
  run(): Promise<unknown>;
  /** Called when this replica takes the duty (over): start from what is stored, not from memory. */
  forget(): void;
}

export interface LeasedDutySettings {
  /** What the duty is called in its warnings (`alert evaluation`, `storage maintenance`). */
  readonly name: string;
  readonly intervalMs: number;
  /** Where problems go (the service's logger). */
  readonly warn: (message: string) => void;
  /** Shared with other replicas: only its holder does the duty. Without one, this one is alone. */
  readonly lease?: AlertLease | undefined;
  /** Told how each run went and how long it took (not told of a tick spent standing by). */
  readonly ran?: ((outcome: 'ok' | 'failed', seconds: number) => void) | undefined;
  /** Told when this replica takes the duty or gives it up, and who held the lease then. */
  readonly roleChanged?: ((held: boolean, holder: string | undefined) => void) | undefined;
}

/**
 * Runs a duty now and then every interval: each tick claims the lease (where there is one),
 * tells a change of role, and runs the duty only while this replica holds it. A failure is
 * warned once until it changes or recovers; ticks never overlap (the next is set when one ends).
 */
export class LeasedDuty {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private lastError: string | undefined;
  private held: boolean | undefined;

  private readonly duty: Duty;
  private readonly settings: LeasedDutySettings;

  constructor(duty: Duty, settings: LeasedDutySettings) {
    this.duty = duty;
    this.settings = settings;
  }

  /** Runs now and then every interval until stop(); failures are reported, never thrown. */
  start(): void {
    const tick = (): void => {
      const started = performance.now();
      const took = (): number => (performance.now() - started) / 1000;
      this.running = this.tickOnce()
        .then((ran) => {
          if (ran) this.settings.ran?.('ok', took());
          this.failed(undefined);
        })
        .catch((error: unknown) => {
          this.settings.ran?.('failed', took());
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
      this.settings.warn(
        `${this.settings.name} lease not released (it expires): ${(error as Error).message}`,
      );
    }
  }

  /** One tick: with a lease, claim it first and stand by unless held. Resolves whether it ran. */
  private async tickOnce(): Promise<boolean> {
    const { lease } = this.settings;
    const held = lease ? await lease.claim() : true;
    this.become(held);
    if (!held) return false;
    await this.duty.run();
    return true;
  }

  private become(held: boolean): void {
    if (held === this.held) return;
    if (held) this.duty.forget();
    this.held = held;
    this.settings.roleChanged?.(held, this.settings.lease?.current?.holder);
  }

  /** Warns of a new failure once, and of the recovery from one. */
  private failed(message: string | undefined): void {
    if (message === undefined && this.lastError !== undefined)
      this.settings.warn(`${this.settings.name} recovered`);
    else if (message !== undefined && message !== this.lastError)
      this.settings.warn(`${this.settings.name} failed: ${message}`);
    this.lastError = message;
  }
}
