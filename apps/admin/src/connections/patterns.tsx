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
  /** What the resource must support for this pattern to be possible. */
  needs: string;
  /** What is lost against the patterns above it; empty for XAA. */
  weaker: string;
  tone: ChipProps['color'];
}

export const patterns: Record<ConnectionPattern, PatternInfo> = {
  xaa: {
    label: 'XAA',
    summary: 'Cross App Access: the agent gets a short-lived ID-JAG for this user. The target pattern.',
    needs: "It validates ID-JAGs itself, or sits behind Crossgate's resource-side authorization server",
    weaker: '',
    tone: 'success',
  },
  sts: {
    label: 'STS',
    summary: 'A user consented once; Crossgate keeps the refresh token and hands out short-lived access tokens.',
    needs: 'It offers OAuth with user consent',
    weaker: 'Scopes are fixed when the user consents, not narrowed per request, and revoking one user means revoking their consent.',
    tone: 'info',
  },
  vaulted_key: {
    label: 'Vaulted key',
    summary: 'A static key kept in the vault; every retrieval is audited. Plan the move to STS or XAA.',
    needs: 'It takes an API key',
    weaker: 'No user in the call: the resource sees the agent only, the key lives until rotated, and revoking it cuts off every user at once.',
    tone: 'warning',
  },
  service_account: {
    label: 'Service account (weakest — legacy)',
    summary: 'Weakest pattern: a shared credential acting for everyone. Needs a justification and a sunset date.',
    needs: 'It takes only a username and password',
    weaker: 'A shared login: no user, no per-agent attribution at the resource, a long-lived password, and all-or-nothing revocation.',
    tone: 'error',
  },
};

export const patternChoices = connectionPatterns.map((pattern) => ({ id: pattern, name: patterns[pattern].label }));

/** Patterns that hand the agent a vaulted credential, entered by an admin and rotated. */
export const vaultedPatterns: readonly ConnectionPattern[] = ['vaulted_key', 'service_account'];

export function isPattern(value: unknown): value is ConnectionPattern {
  return typeof value === 'string' && value in patterns;
}

export function PatternChip({ pattern }: { pattern: ConnectionPattern }) {
  const { label, summary, tone } = patterns[pattern];
  return <Chip size="small" label={label} color={tone} variant={pattern === 'service_account' ? 'filled' : 'outlined'} title={summary} />;
}

export function PatternField({ source = 'pattern' }: FieldProps) {
  const value: unknown = useFieldValue({ source });
  return isPattern(value) ? <PatternChip pattern={value} /> : null;
}
