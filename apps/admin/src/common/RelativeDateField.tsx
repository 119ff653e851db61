/**
 * An instant as people read it: "3 hours ago" or "in 2 days" in the browser's language, with the
 * absolute date, time and time zone on hover and in the `<time>` element's `datetime`.
 */
import { Tooltip, Typography } from '@mui/material';
import { type FieldProps, useFieldValue } from 'react-admin';

const units: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
  ['second', 1],
];

/** "3 hours ago", "in 2 days", "now": the largest unit that fits, in the browser's language. */
export function relativeTime(date: Date, now: Date = new Date()): string {
  const seconds = (date.getTime() - now.getTime()) / 1000;
  const format = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
  for (const [unit, size] of units) {
    if (Math.abs(seconds) >= size || unit === 'second') {
      return format.format(Math.round(seconds / size), unit);
    }
  }
  return format.format(0, 'second');
}

/** The absolute instant with its time zone, in the browser's language and zone. */
export function absoluteTime(date: Date): string {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return `${new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'long' }).format(date)} (${zone})`;
}

export function RelativeDate({ value, emptyText = '—' }: { value: unknown; emptyText?: string }) {
  const date = typeof value === 'string' || typeof value === 'number' ? new Date(value) : value instanceof Date ? value : null;
  if (!date || Number.isNaN(date.getTime())) {
    return (
      <Typography component="span" variant="body2">
        {emptyText}
      </Typography>
    );
  }
  return (
    <Tooltip title={absoluteTime(date)} describeChild>
      <Typography component="time" variant="body2" dateTime={date.toISOString()}>
        {relativeTime(date)}
      </Typography>
    </Tooltip>
  );
}

/** The shared date field of every list and page; react-admin's `label`, `sortable` and `emptyText` apply. */
export function RelativeDateField({ emptyText, ...props }: FieldProps & { emptyText?: string }) {
  const value = useFieldValue(props);
  return <RelativeDate value={value} emptyText={emptyText} />;
}
