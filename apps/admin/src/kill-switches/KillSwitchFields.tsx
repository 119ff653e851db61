/** How a kill switch reads in lists and on its page: its state, what it names, how far its receipt got. */
import { Chip, type ChipProps, Link as MuiLink, Stack, Typography } from '@mui/material';
import type { KillSwitchState } from '@crossgate/domain';
import type { MouseEvent } from 'react';
import { Link, useCreatePath, useRecordContext, useTranslate } from 'react-admin';

import { humanize } from '../common/choices.ts';
import { type KillSwitch, scopeLabels, scopeTargets, targetReferences } from './types.ts';

/** A switch in force is the alarm; one waiting for a second admin needs attention; the rest are history. */
const stateTones: Record<KillSwitchState, ChipProps['color']> = {
  active: 'error',
  pending_approval: 'warning',
  lifted: 'default',
  expired: 'default',
  rejected: 'default',
};

export function KillSwitchStateChip({ state }: { state: KillSwitchState }) {
  return <Chip size="small" variant={state === 'active' ? 'filled' : 'outlined'} color={stateTones[state]} label={humanize(state)} />;
}

/** `label` and `source` are read by the show layout (for the label) and the table. */
export function StateField(_props: { label?: string; source?: string }) {
  const record = useRecordContext<KillSwitch>();
  return record ? <KillSwitchStateChip state={record.state} /> : null;
}

/** The scope, then what it names, linked to that record when there is one record to open. */
export function TargetField({ link = false }: { label?: string; source?: string; link?: boolean }) {
  const record = useRecordContext<KillSwitch>();
  const createPath = useCreatePath();
  if (!record) {
    return null;
  }
  const [field, ...others] = scopeTargets[record.scope];
  const id = field === undefined ? null : record[field];
  return (
    <Stack direction="row" sx={{ gap: 1, alignItems: 'center', flexWrap: 'wrap' }}>
      <Chip size="small" variant="outlined" label={scopeLabels[record.scope]} />
      {link && field !== undefined && id && others.length === 0 ? (
        <MuiLink component={Link} to={createPath({ resource: targetReferences[field], id, type: 'show' })} onClick={(event: MouseEvent) => event.stopPropagation()}>
          {record.targetLabel}
        </MuiLink>
      ) : (
        <Typography variant="body2">{record.targetLabel}</Typography>
      )}
    </Stack>
  );
}

/** "12/14 delivered", and the dead-lettered lines when there are any. */
export function DeliveryProgressField(_props: { label?: string; source?: string }) {
  const record = useRecordContext<KillSwitch>();
  const translate = useTranslate();
  if (!record) {
    return null;
  }
  const { delivered, total, deadLettered } = record.progress;
  if (record.state === 'pending_approval' || (record.fannedOutAt === null && total === 0)) {
    return <Typography variant="body2">—</Typography>;
  }
  return (
    <Stack direction="row" sx={{ gap: 1, alignItems: 'center' }}>
      <Typography variant="body2" sx={{ fontVariantNumeric: 'tabular-nums' }}>
        {translate('crossgate.killSwitches.progress.delivered', { delivered, total })}
      </Typography>
      {deadLettered > 0 && <Chip size="small" color="error" variant="outlined" label={translate('crossgate.killSwitches.progress.deadLettered', { count: deadLettered })} />}
    </Stack>
  );
}
