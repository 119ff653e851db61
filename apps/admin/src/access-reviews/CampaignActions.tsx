/**
 * @overview A campaign page's toolbar: Launch a draft (snapshots the items from effective access and
 * assigns reviewers) and Close an active one (undecided items take the configured outcome, revoke
 * and narrow decisions are applied), each after a confirmation, and the evidence pack as CSV or JSON
 * (`GET /api/access-reviews/campaigns/:id/export`), downloaded with the session.
 */
import CloseIcon from '@mui/icons-material/AssignmentTurnedIn';
import DownloadIcon from '@mui/icons-material/Download';
import LaunchIcon from '@mui/icons-material/RocketLaunch';
import { Button as MuiButton } from '@mui/material';
import type { ReactElement } from 'react';
import { TopToolbar, useCanAccess, useNotify, useRecordContext, useRefresh, useTranslate } from 'react-admin';

import { ReasonDialogButton } from '../common/ReasonDialog.tsx';
import { httpClient } from '../http.ts';
import { type Campaign, campaignsPath } from './types.ts';

function TransitionButton({ transition, icon, color }: { transition: 'launch' | 'close'; icon: ReactElement; color: 'primary' | 'error' }) {
  const record = useRecordContext<Campaign>();
  const translate = useTranslate();
  const notify = useNotify();
  const refresh = useRefresh();
  if (!record) {
    return null;
  }
  const key = (name: string) => `crossgate.accessReviews.${transition}.${name}`;
  const submit = async () => {
    await httpClient(`${campaignsPath}/${record.id}/${transition}`, { method: 'POST', body: '{}' });
    notify(key('done'), { type: 'success' });
    refresh();
  };
  return (
    <ReasonDialogButton
      label={translate(key('button'))}
      icon={icon}
      id={`campaign-${transition}`}
      title={translate(key('title'))}
      text={translate(key(transition === 'close' ? `text.${record.undecidedOutcome}` : 'text'), { name: record.name })}
      reason="none"
      reasonLabel=""
      submitLabel={translate(key('button'))}
      color={color}
      onSubmit={submit}
    />
  );
}

function ExportLink({ format }: { format: 'csv' | 'json' }) {
  const record = useRecordContext<Campaign>();
  const translate = useTranslate();
  if (!record || record.status === 'draft') {
    return null;
  }
  return (
    <MuiButton size="small" href={`${campaignsPath}/${record.id}/export?format=${format}`} download={`campaign-${record.id}.${format}`} startIcon={<DownloadIcon />}>
      {translate(`crossgate.accessReviews.export.${format}`)}
    </MuiButton>
  );
}

export function CampaignActions() {
  const record = useRecordContext<Campaign>();
  const { canAccess: canWrite } = useCanAccess({ resource: 'access-reviews', action: 'edit' });
  const { canAccess: canExport } = useCanAccess({ resource: 'access-reviews', action: 'export' });
  return (
    <TopToolbar>
      {canWrite && record?.status === 'draft' && <TransitionButton transition="launch" icon={<LaunchIcon />} color="primary" />}
      {canWrite && record?.status === 'active' && <TransitionButton transition="close" icon={<CloseIcon />} color="error" />}
      {canExport && <ExportLink format="csv" />}
      {canExport && <ExportLink format="json" />}
    </TopToolbar>
  );
}
