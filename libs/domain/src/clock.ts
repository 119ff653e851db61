/**
 * @overview The current time, injected wherever it decides something (token lifetimes, session and
 * review deadlines, rotation and kill-switch schedules), so tests can fix it instead of sleeping.
 * Durations measured for logs or metrics read the system clock directly.
 */

/** The time source. An abstract class rather than an interface, so it doubles as a dependency-injection token. */
export abstract class Clock {
  abstract now(): Date;
}

/** The system clock. */
export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}
