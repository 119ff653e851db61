/**
 * The cards of things to act on: approvals waiting, failed rotations, service accounts past or near
 * their sunset, connections nobody used lately, and the last check of the audit chain. Each lists a
 * few by name, linked to the page where it is dealt with.
 */
import { Alert, Card, CardActions, CardContent, CardHeader, Link as MuiLink, List, ListItem, ListItemText, Typography } from '@mui/material';
import type { ReactNode } from 'react';
import { Link, useCreatePath } from 'react-admin';

import { RelativeDate } from '../common/RelativeDateField.tsx';
import approvals from '../approvals/index.ts';
import type { DashboardSummary, NamedConnection } from './summary.ts';

function AttentionCard({ id, title, count, children, action }: { id: string; title: string; count: number; children?: ReactNode; action?: ReactNode }) {
  return (
    <Card component="section" aria-labelledby={id} sx={{ height: '100%' }}>
      <CardHeader
        title={title}
        slotProps={{ title: { id, component: 'h2', variant: 'h6' } }}
        action={
          <Typography variant="h4" component="span" sx={{ px: 1, fontVariantNumeric: 'tabular-nums' }} color={count > 0 ? 'warning.main' : 'text.secondary'} aria-label={`${title}: ${count}`}>
            {count}
          </Typography>
        }
      />
      <CardContent sx={{ pt: 0 }}>{children}</CardContent>
      {action && <CardActions>{action}</CardActions>}
    </Card>
  );
}

function ConnectionList<T extends NamedConnection>({ items, none, secondary }: { items: readonly T[]; none: string; secondary: (item: T) => ReactNode }) {
  const createPath = useCreatePath();
  if (items.length === 0) {
    return (
      <Typography variant="body2" color="text.secondary">
        {none}
      </Typography>
    );
  }
  return (
    <List dense disablePadding>
      {items.map((item) => (
        <ListItem key={item.id} disableGutters>
          <ListItemText
            primary={
              <MuiLink component={Link} to={createPath({ resource: 'connections', id: item.id, type: 'show' })}>
                {item.name}
              </MuiLink>
            }
            secondary={secondary(item)}
            slotProps={{ secondary: { component: 'div' } }}
          />
        </ListItem>
      ))}
    </List>
  );
}

export function ApprovalsCard({ summary }: { summary: DashboardSummary }) {
  const waiting = summary.killSwitches.pendingApproval + summary.draftPolicies;
  return (
    <AttentionCard
      id="approvals-card-title"
      title="Approvals waiting"
      count={waiting}
      action={
        <MuiLink component={Link} to={approvals.path}>
          Open approvals
        </MuiLink>
      }
    >
      <Typography variant="body2">
        {summary.killSwitches.pendingApproval} kill {summary.killSwitches.pendingApproval === 1 ? 'switch' : 'switches'} waiting for a second responder,{' '}
        {summary.draftPolicies} draft {summary.draftPolicies === 1 ? 'policy' : 'policies'} not yet published.
      </Typography>
    </AttentionCard>
  );
}

export function FailedRotationsCard({ summary }: { summary: DashboardSummary }) {
  return (
    <AttentionCard id="failed-rotations-title" title="Failed rotations" count={summary.failedRotations.length}>
      <ConnectionList items={summary.failedRotations} none="Every rotation went through." secondary={(item) => item.error ?? 'Failed'} />
    </AttentionCard>
  );
}

export function SunsetCard({ summary }: { summary: DashboardSummary }) {
  return (
    <AttentionCard id="sunset-title" title="Service accounts at their sunset" count={summary.sunsetting.length}>
      <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
        Past their sunset date or within {summary.thresholds.sunsetWarningDays} days of it: move them up the ladder.
      </Typography>
      <ConnectionList
        items={summary.sunsetting}
        none="No service account is near its sunset."
        secondary={(item) => (
          <>
            {new Date(item.sunsetAt).getTime() < Date.now() ? 'Sunset passed ' : 'Sunset '}
            <RelativeDate value={item.sunsetAt} />
          </>
        )}
      />
    </AttentionCard>
  );
}

export function UnusedCard({ summary }: { summary: DashboardSummary }) {
  return (
    <AttentionCard id="unused-title" title="Unused connections" count={summary.unused.total}>
      <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
        Active, but not used for {summary.thresholds.unusedAfterDays} days: disable what nobody needs.
      </Typography>
      <ConnectionList
        items={summary.unused.connections}
        none="Every active connection was used lately."
        secondary={(item) =>
          item.lastUsedAt ? (
            <>
              Last used <RelativeDate value={item.lastUsedAt} />
            </>
          ) : (
            'Never used'
          )
        }
      />
    </AttentionCard>
  );
}

export function AuditChainCard({ summary }: { summary: DashboardSummary }) {
  const createPath = useCreatePath();
  const check = summary.lastChainCheck;
  return (
    <Card component="section" aria-labelledby="audit-chain-title" sx={{ height: '100%' }}>
      <CardHeader title="Audit chain" slotProps={{ title: { id: 'audit-chain-title', component: 'h2', variant: 'h6' } }} />
      <CardContent sx={{ pt: 0 }}>
        {check === null ? (
          <Alert severity="info">Not checked by the worker yet: verify it from the audit log.</Alert>
        ) : check.intact ? (
          <Alert severity="success">
            Intact at the last check, <RelativeDate value={check.at} />.
          </Alert>
        ) : (
          <Alert severity="error">
            Broken at the last check, <RelativeDate value={check.at} />: {check.reason ?? 'see the audit log'}.
          </Alert>
        )}
      </CardContent>
      <CardActions>
        <MuiLink component={Link} to={createPath({ resource: 'audit', type: 'list' })}>
          Open the audit log
        </MuiLink>
      </CardActions>
    </Card>
  );
}
