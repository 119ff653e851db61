import { Clock } from '@crossgate/domain';

/** A clock that stands still at `at` until a test moves it, so expiry and schedules are tested without sleeping. */
export class FixedClock extends Clock {
  constructor(private at: Date) {
    super();
  }

  now(): Date {
    return new Date(this.at.getTime());
  }

  /** Moves the clock by `milliseconds` (negative goes back). */
  advance(milliseconds: number): void {
    this.at = new Date(this.at.getTime() + milliseconds);
  }
}
