/**
 * What the provider did with the refresh token when a consent ended (the API's
 * `upstreamRevocation`), in words, and how worried the admin should be.
 */
import { Alert, type AlertColor } from '@mui/material';
import { useRecordContext, useTranslate } from 'react-admin';

export const upstreamOutcomes = ['revoked', 'failed', 'unsupported', 'none'] as const;
export type UpstreamRevocation = (typeof upstreamOutcomes)[number];

const severity: Record<UpstreamRevocation, AlertColor> = {
  revoked: 'success',
  failed: 'warning',
  unsupported: 'warning',
  none: 'info',
};

export function isUpstreamRevocation(value: unknown): value is UpstreamRevocation {
  return typeof value === 'string' && (upstreamOutcomes as readonly string[]).includes(value);
}

export function UpstreamAlert({ outcome }: { outcome: UpstreamRevocation }) {
  const translate = useTranslate();
  return <Alert severity={severity[outcome]}>{translate(`crossgate.stsConsents.upstream.${outcome}`)}</Alert>;
}

/** The outcome recorded on an ended consent; nothing while it is active. */
export function UpstreamRevocationField(_props: { label?: string }) {
  const record = useRecordContext();
  const outcome: unknown = record?.['upstreamRevocation'];
  return isUpstreamRevocation(outcome) ? <UpstreamAlert outcome={outcome} /> : null;
}
