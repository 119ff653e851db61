/** Fields of a campaign read in more than one place: its scope in words, and its progress in a list row. */
import { Box, LinearProgress, Typography } from '@mui/material';
import { ReferenceField, useRecordContext, useTranslate } from 'react-admin';

import { humanize } from '../common/choices.ts';
import { useApi } from '../common/useApi.ts';
import { type Campaign, type CampaignProgress, campaignsPath } from './types.ts';

const scopeReferences = { resource: 'resources', client: 'clients', group: 'groups' } as const;

/** "All access", "Resource: Notes", "Pattern: Service account". */
export function CampaignScopeField(_props: { label?: string }) {
  const record = useRecordContext<Campaign>();
  const translate = useTranslate();
  if (!record) {
    return null;
  }
  const kind = translate(`crossgate.accessReviews.scope.${record.scopeKind}`);
  if (record.scopeKind === 'all' || record.scopeValue === null) {
    return <Typography variant="body2">{kind}</Typography>;
  }
  if (record.scopeKind === 'pattern') {
    return (
      <Typography variant="body2">
        {kind}: {humanize(record.scopeValue)}
      </Typography>
    );
  }
  return (
    <Box sx={{ display: 'flex', gap: 0.5, alignItems: 'baseline' }}>
      <Typography variant="body2">{kind}:</Typography>
      <ReferenceField source="scopeValue" reference={scopeReferences[record.scopeKind]} link="show" />
    </Box>
  );
}

/** A list row's "3 of 5 decided", asked once per row; a draft has no items yet. */
export function CampaignProgressField(_props: { source?: string }) {
  const record = useRecordContext<Campaign>();
  const translate = useTranslate();
  const { data } = useApi<CampaignProgress>(record && record.status !== 'draft' ? `${campaignsPath}/${record.id}/progress` : null);
  if (!record || record.status === 'draft') {
    return <Typography variant="body2">—</Typography>;
  }
  if (data === null) {
    return null;
  }
  const text = translate('crossgate.accessReviews.progress.decided', { decided: data.decided, total: data.total });
  return (
    <Box sx={{ minWidth: 140 }}>
      <Typography variant="body2">{text}</Typography>
      <LinearProgress variant="determinate" value={data.total === 0 ? 100 : (data.decided / data.total) * 100} aria-label={text} />
    </Box>
  );
}
