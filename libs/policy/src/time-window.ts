/**
 * Policy time windows, read in the policy's own time zone with `Intl.DateTimeFormat`. Building a
 * formatter costs tens of microseconds, so there is one per zone per compiled index, and it
 * remembers the last minute it converted: every decision in the same minute reuses it.
 */
import { type TimeWindow, type Weekday, weekdays } from './rows.ts';

export interface LocalTime {
  readonly day: Weekday;
  /** Minutes since local midnight. */
  readonly minute: number;
}

export class ZoneClock {
  private readonly format: Intl.DateTimeFormat;
  private cachedEpochMinute = Number.NaN;
  private cached: LocalTime = { day: 'mon', minute: 0 };

  /** @throws RangeError when `timeZone` is not an IANA zone this runtime knows. */
  constructor(readonly timeZone: string) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone,
      weekday: 'short',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
    });
  }

  /** Every zone offset in use today is a whole number of minutes, so a minute maps to one local time. */
  at(now: Date): LocalTime {
    const epochMinute = Math.floor(now.getTime() / 60_000);
    if (epochMinute !== this.cachedEpochMinute) {
      let day = '';
      let hour = 0;
      let minute = 0;
      for (const part of this.format.formatToParts(now)) {
        if (part.type === 'weekday') {
          day = part.value.toLowerCase();
        } else if (part.type === 'hour') {
          hour = Number(part.value);
        } else if (part.type === 'minute') {
          minute = Number(part.value);
        }
      }
      this.cached = { day: day as Weekday, minute: hour * 60 + minute };
      this.cachedEpochMinute = epochMinute;
    }
    return this.cached;
  }
}

export interface CompiledWindow {
  readonly days: ReadonlySet<Weekday>;
  readonly start: number;
  readonly end: number;
  readonly clock: ZoneClock;
  /** `mon,tue 09:00–17:00 Europe/Zurich`, for the trace. */
  readonly label: string;
}

const clockTime = /^([01]\d|2[0-3]):([0-5]\d)$/;

function minutesOf(value: string): number | undefined {
  const match = clockTime.exec(value);
  return match ? Number(match[1]) * 60 + Number(match[2]) : undefined;
}

/**
 * @param clocks one `ZoneClock` per zone, shared by every policy of an index.
 * @returns the compiled window, or why it cannot be used.
 */
export function compileWindow(window: TimeWindow, clocks: Map<string, ZoneClock>): CompiledWindow | string {
  const start = minutesOf(window.start);
  const end = minutesOf(window.end);
  if (start === undefined || end === undefined || start >= end) {
    return `time window ${window.start}–${window.end} is not HH:MM with start before end`;
  }
  const days = new Set<Weekday>();
  for (const day of window.days) {
    if (!(weekdays as readonly string[]).includes(day)) {
      return `time window day ${String(day)} is not one of ${weekdays.join(', ')}`;
    }
    days.add(day);
  }
  if (days.size === 0) {
    return 'time window has no days';
  }
  let clock = clocks.get(window.timeZone);
  if (!clock) {
    try {
      clock = new ZoneClock(window.timeZone);
    } catch {
      return `time zone ${window.timeZone} is not an IANA time zone`;
    }
    clocks.set(window.timeZone, clock);
  }
  const label = `${[...days].join(',')} ${window.start}–${window.end} ${window.timeZone}`;
  return { days, start, end, clock, label };
}

export function isInside(window: CompiledWindow, local: LocalTime): boolean {
  return window.days.has(local.day) && local.minute >= window.start && local.minute < window.end;
}

export function formatLocal(local: LocalTime): string {
  const hours = String(Math.floor(local.minute / 60)).padStart(2, '0');
  const minutes = String(local.minute % 60).padStart(2, '0');
  return `${local.day} ${hours}:${minutes}`;
}
