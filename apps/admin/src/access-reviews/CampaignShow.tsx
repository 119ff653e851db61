import { Typography } from '@mui/material';
import { BooleanField, Labeled, NumberField, TextField, useRecordContext, useTranslate } from 'react-admin';

import { RelativeDateField } from '../common/RelativeDateField.tsx';
import { StatusField } from '../common/StatusField.tsx';
import { RecordShow } from '../common/views.tsx';
import { CampaignActions } from './CampaignActions.tsx';
import { CampaignScopeField } from './CampaignFields.tsx';
import { CampaignProgressChart } from './CampaignProgressChart.tsx';
import type { Campaign } from './types.ts';

/** The chart once there are items: a draft has none until it is launched. */
function ProgressPanel(_props: { label: false }) {
  const record = useRecordContext<Campaign>();
  const translate = useTranslate();
  if (!record || record.status === 'draft') {
    return null;
  }
  return (
    <Labeled label={translate('crossgate.accessReviews.progress.title')}>
      <CampaignProgressChart campaignId={record.id} live={record.status === 'active'} />
    </Labeled>
  );
}

function LabelField({ source, prefix }: { source: 'reviewerRule' | 'undecidedOutcome'; prefix: string; label?: string }) {
  const record = useRecordContext<Campaign>();
  const translate = useTranslate();
  return record ? <Typography variant="body2">{translate(`crossgate.accessReviews.${prefix}.${record[source]}`)}</Typography> : null;
}

export function CampaignShow() {
  return (
    <RecordShow actions={<CampaignActions />}>
      <TextField source="name" />
      <TextField source="description" emptyText="—" />
      <StatusField source="status" />
      <ProgressPanel label={false} />
      <CampaignScopeField label="resources.access-reviews.fields.scope" />
      <RelativeDateField source="dueAt" />
      <LabelField source="reviewerRule" prefix="reviewerRule" label="resources.access-reviews.fields.reviewerRule" />
      <TextField source="reviewers" emptyText="—" />
      <TextField source="fallbackReviewer" />
      <LabelField source="undecidedOutcome" prefix="outcome" label="resources.access-reviews.fields.undecidedOutcome" />
      <BooleanField source="remediateImmediately" />
      <NumberField source="itemCount" />
      <RelativeDateField source="launchedAt" emptyText="—" />
      <RelativeDateField source="closedAt" emptyText="—" />
      <TextField source="closedBy" emptyText="—" />
    </RecordShow>
  );
}
