/**
 * One item of the reviewer's queue with the evidence launch snapshotted: the policy that grants it
 * and who approved it, the last certification, the last use and tokens issued in the period, the
 * scopes used against those granted, and the risk flags; then Certify, Revoke and Narrow. An item
 * the API refused (separation of duties: it grants the reviewer's own access) says why, in the API's
 * words, instead of offering the decisions again.
 */
import CertifyIcon from '@mui/icons-material/CheckCircle';
import NarrowIcon from '@mui/icons-material/FilterAlt';
import RevokeIcon from '@mui/icons-material/RemoveCircle';
import { Alert, Box, Card, CardActions, CardContent, Checkbox, Chip, Link, Stack, Table, TableBody, TableCell, TableRow, Typography } from '@mui/material';
import type { ReactNode } from 'react';
import { Button, useTranslate } from 'react-admin';

import type { Decision, ReviewItem } from '../access-reviews/types.ts';
import { humanize } from '../common/choices.ts';
import { relativeTime } from '../common/RelativeDateField.tsx';
import { PatternChip } from '../connections/patterns.tsx';

/** "Support agent → Notes MCP · alice@example.com": what the item grants, to whom. */
export function itemTitle(item: ReviewItem): string {
  const { client, resource, subject } = item.evidence;
  return `${client?.name ?? item.clientId} → ${resource?.name ?? item.resourceId} · ${subject?.label ?? humanize(item.subjectType)}`;
}

const flagTones: Record<string, 'warning' | 'error' | 'default'> = { unused_30d: 'warning', legacy_pattern: 'warning', high_risk_scopes: 'error', no_owner: 'warning' };

function when(value: string | null | undefined, never: string): string {
  return value ? `${relativeTime(new Date(value))} (${new Date(value).toLocaleString()})` : never;
}

interface ReviewItemCardProps {
  item: ReviewItem;
  selected: boolean;
  onSelect: (selected: boolean) => void;
  onDecide: (decision: Decision) => void;
  /** The API's refusal, once it refused this item. */
  refusal: string | undefined;
}

export function ReviewItemCard({ item, selected, onSelect, onDecide, refusal }: ReviewItemCardProps) {
  const translate = useTranslate();
  const title = itemTitle(item);
  const { policy, lastCertification, scopesUsed = [], highRiskScopes = [] } = item.evidence;
  const titleId = `review-item-${item.id}`;
  const row = (label: string, value: ReactNode) => (
    <TableRow>
      <TableCell component="th" scope="row" sx={{ width: 200, color: 'text.secondary' }}>
        {label}
      </TableCell>
      <TableCell>{value}</TableCell>
    </TableRow>
  );
  return (
    <Card component="article" aria-labelledby={titleId} variant="outlined">
      <CardContent>
        <Stack direction="row" sx={{ gap: 1, alignItems: 'center', flexWrap: 'wrap' }}>
          <Checkbox checked={selected} onChange={(event) => onSelect(event.target.checked)} disabled={refusal !== undefined} slotProps={{ input: { 'aria-label': translate('crossgate.accessReviews.queue.select', { what: title }) } }} />
          <Typography id={titleId} variant="subtitle1" component="h3" sx={{ fontWeight: 600 }}>
            {title}
          </Typography>
          <PatternChip pattern={item.pattern} />
          {item.riskFlags.map((flag) => (
            <Chip key={flag} size="small" color={flagTones[flag] ?? 'default'} label={translate(`crossgate.accessReviews.flag.${flag}`, { _: humanize(flag) })} />
          ))}
        </Stack>
        <Table size="small" aria-label={translate('crossgate.accessReviews.evidence.title', { what: title })}>
          <TableBody>
            {row(
              translate('crossgate.accessReviews.evidence.policy'),
              <>
                <Link href={`#/policies/${item.policyId}/show`}>{policy?.name ?? item.policyId}</Link>
                {' · '}
                {policy?.approvedBy
                  ? translate('crossgate.accessReviews.evidence.approved', { by: policy.approvedBy, at: when(policy.approvedAt, '—') })
                  : translate('crossgate.accessReviews.evidence.notApproved')}
              </>,
            )}
            {row(
              translate('crossgate.accessReviews.evidence.lastCertification'),
              lastCertification
                ? translate('crossgate.accessReviews.evidence.certified', { decision: translate(`crossgate.accessReviews.decision.${lastCertification.decision}`), by: lastCertification.decidedBy ?? '—', at: when(lastCertification.decidedAt, '—') })
                : translate('crossgate.accessReviews.evidence.never'),
            )}
            {row(translate('crossgate.accessReviews.evidence.lastUsed'), when(item.evidence.lastUsedAt, translate('crossgate.accessReviews.evidence.never')))}
            {row(translate('crossgate.accessReviews.evidence.tokensIssued'), String(item.evidence.tokensIssued ?? 0))}
            {row(
              translate('crossgate.accessReviews.evidence.scopes', { used: scopesUsed.length, granted: item.scopes.length }),
              <Box sx={{ display: 'flex', gap: 0.5, flexWrap: 'wrap' }}>
                {item.scopes.map((scope) => {
                  const used = scopesUsed.includes(scope);
                  const state = translate(`crossgate.accessReviews.evidence.${used ? 'used' : 'unused'}`);
                  return (
                    <Chip
                      key={scope}
                      size="small"
                      variant={used ? 'filled' : 'outlined'}
                      color={highRiskScopes.includes(scope) ? 'error' : 'default'}
                      label={`${scope} (${state})`}
                    />
                  );
                })}
              </Box>,
            )}
          </TableBody>
        </Table>
        {refusal !== undefined && (
          <Alert severity="warning" role="alert" sx={{ mt: 1 }}>
            {refusal}
          </Alert>
        )}
      </CardContent>
      {refusal === undefined && (
        <CardActions>
          <Button label={translate('crossgate.accessReviews.decide.certify.button')} color="success" onClick={() => onDecide('certify')} aria-label={`${translate('crossgate.accessReviews.decide.certify.button')}: ${title}`}>
            <CertifyIcon />
          </Button>
          <Button label={translate('crossgate.accessReviews.decide.revoke.button')} color="error" onClick={() => onDecide('revoke')} aria-label={`${translate('crossgate.accessReviews.decide.revoke.button')}: ${title}`}>
            <RevokeIcon />
          </Button>
          {item.scopes.length > 1 && (
            <Button label={translate('crossgate.accessReviews.decide.narrow.button')} onClick={() => onDecide('narrow')} aria-label={`${translate('crossgate.accessReviews.decide.narrow.button')}: ${title}`}>
              <NarrowIcon />
            </Button>
          )}
        </CardActions>
      )}
    </Card>
  );
}
