/**
 * The four managed-connection patterns, best first. Service accounts are the weakest: a shared,
 * long-lived credential, kept only with a written reason and a date by which it ends.
 */
import { Chip, type ChipProps } from '@mui/material';
import { connectionPatterns, type ConnectionPattern } from '@crossgate/domain';
import { type FieldProps, useFieldValue } from 'react-admin';

interface PatternInfo {
  label: string;
  summary: string;
  tone: ChipProps['color'];
}

export const patterns: Record<ConnectionPattern, PatternInfo> = {
  xaa: {
    label: 'XAA',
    summary: 'Cross App Access: the agent gets a short-lived ID-JAG for this user. The target pattern.',
    tone: 'success',
  },
  sts: {
    label: 'STS',
    summary: 'A user consented once; Crossgate keeps the refresh token and hands out short-lived access tokens.',
    tone: 'info',
  },
  vaulted_key: {
    label: 'Vaulted key',
    summary: 'A static key kept in the vault; every retrieval is audited. Plan the move to STS or XAA.',
    tone: 'warning',
  },
  service_account: {
    label: 'Service account (legacy)',
    summary: 'Weakest pattern: a shared credential acting for everyone. Needs a justification and a sunset date.',
    tone: 'error',
  },
};

export const patternChoices = connectionPatterns.map((pattern) => ({ id: pattern, name: patterns[pattern].label }));

export function isPattern(value: unknown): value is ConnectionPattern {
  return typeof value === 'string' && value in patterns;
}

export function PatternField({ source = 'pattern' }: FieldProps) {
  const value: unknown = useFieldValue({ source });
  if (!isPattern(value)) {
    return null;
  }
  const { label, summary, tone } = patterns[value];
  return <Chip size="small" label={label} color={tone} variant={value === 'service_account' ? 'filled' : 'outlined'} title={summary} />;
}
