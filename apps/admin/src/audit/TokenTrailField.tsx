/**
 * The trail behind an issued token, on its audit event (token exchange, secret retrieval): each
 * policy that allowed it, linked to the policy, with who approved the policy and when, and the
 * latest certification decision on a review item of that policy covering the token's user
 * (`GET /api/access-reviews/certifications/latest`). Shown only on events that name policies.
 */
import { Box, Link, Stack, Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { useGetOne, useRecordContext, useTranslate } from 'react-admin';

import type { Certification } from '../access-reviews/types.ts';
import { relativeTime } from '../common/RelativeDateField.tsx';
import { useApi } from '../common/useApi.ts';
import type { AuditEvent } from './types.ts';

interface PolicyApproval {
  id: string;
  name: string;
  approvedBy: string | null;
  approvedAt: string | null;
}

function at(value: string | null): string {
  return value === null ? '' : `${relativeTime(new Date(value))} (${new Date(value).toLocaleString()})`;
}

function PolicyRow({ policyId, userId }: { policyId: string; userId: string | null }) {
  const translate = useTranslate();
  const { data: policy, error } = useGetOne<PolicyApproval>('policies', { id: policyId }, { retry: false });
  const query = new URLSearchParams({ policyId, ...(userId === null ? {} : { userId }) }).toString();
  const { data: latest, failed } = useApi<{ certification: Certification | null }>(`/api/access-reviews/certifications/latest?${query}`);
  const certification = latest?.certification ?? null;
  return (
    <TableRow>
      <TableCell>{error ? `${policyId} ${translate('crossgate.audit.trail.deleted')}` : <Link href={`#/policies/${policyId}/show`}>{policy?.name ?? policyId}</Link>}</TableCell>
      <TableCell>{policy?.approvedBy ? `${policy.approvedBy}, ${at(policy.approvedAt)}` : policy ? translate('crossgate.accessReviews.evidence.notApproved') : '—'}</TableCell>
      <TableCell>
        {failed ? (
          '—'
        ) : certification === null ? (
          latest === null ? '…' : translate('crossgate.accessReviews.evidence.never')
        ) : (
          <Box>
            <Link href={`#/access-reviews/${certification.campaignId}/show`}>{certification.campaignName}</Link>
            {': '}
            {translate('crossgate.accessReviews.evidence.certified', {
              decision: translate(`crossgate.accessReviews.decision.${certification.decision}`),
              by: certification.decidedBy ?? '—',
              at: at(certification.decidedAt),
            })}
            {certification.justification && (
              <Typography variant="caption" color="text.secondary" sx={{ display: 'block' }}>
                “{certification.justification}”
              </Typography>
            )}
          </Box>
        )}
      </TableCell>
    </TableRow>
  );
}

/** `label={false}`: the show layout then draws no label above it (the table has its own heading). */
export function TokenTrailField(_props: { label: false }) {
  const event = useRecordContext<AuditEvent>();
  const translate = useTranslate();
  const policyIds = event?.context?.['policyIds'];
  if (!Array.isArray(policyIds) || policyIds.length === 0) {
    return null;
  }
  const userId = typeof event?.context?.['userId'] === 'string' ? (event.context['userId'] as string) : null;
  return (
    <Stack sx={{ gap: 1 }}>
      <Typography variant="subtitle2" component="h2">
        {translate('crossgate.audit.trail.title')}
      </Typography>
      <Table size="small" aria-label={translate('crossgate.audit.trail.title')}>
        <TableHead>
          <TableRow>
            <TableCell>{translate('crossgate.audit.trail.policy')}</TableCell>
            <TableCell>{translate('crossgate.audit.trail.approved')}</TableCell>
            <TableCell>{translate('crossgate.audit.trail.certification')}</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {policyIds
            .filter((id): id is string => typeof id === 'string')
            .map((policyId) => (
              <PolicyRow key={policyId} policyId={policyId} userId={userId} />
            ))}
        </TableBody>
      </Table>
    </Stack>
  );
}
