import { Chip, type ChipProps } from '@mui/material';
import { type FieldProps, useFieldValue } from 'react-admin';

import { humanize } from './choices.ts';

/** Good news green, needs attention amber, bad news red; anything else neutral. */
const tones: Record<string, ChipProps['color']> = {
  active: 'success',
  allow: 'success',
  low: 'success',
  delivered: 'success',
  draft: 'info',
  pending: 'info',
  rotating: 'info',
  retiring: 'warning',
  failed: 'error',
  dead_lettered: 'error',
  medium: 'warning',
  suspended: 'warning',
  expired: 'warning',
  withdrawn: 'warning',
  deny: 'error',
  high: 'error',
  revoked: 'error',
};

export function StatusChip({ value }: { value: string }) {
  return <Chip size="small" variant="outlined" label={humanize(value)} color={tones[value] ?? 'default'} />;
}

/** A status-like value (status, effect, risk, decision) as a coloured chip. */
export function StatusField({ source = 'status' }: FieldProps) {
  const value: unknown = useFieldValue({ source });
  return typeof value === 'string' ? <StatusChip value={value} /> : null;
}
