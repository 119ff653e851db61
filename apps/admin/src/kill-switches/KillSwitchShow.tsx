import { Alert, Stack } from '@mui/material';
import { Labeled, NumberField, TextField, useGetIdentity, useRecordContext, useTranslate } from 'react-admin';

import { RelativeDateField } from '../common/RelativeDateField.tsx';
import { RecordShow } from '../common/views.tsx';
import { KillSwitchActions } from './KillSwitchActions.tsx';
import { StateField, TargetField } from './KillSwitchFields.tsx';
import { FanOutProgress, ReceiptTable } from './ReceiptPanel.tsx';
import { isSettling, type KillSwitch, pollMilliseconds } from './types.ts';

/**
 * What the switch waits for, and from whom: the two-person rule wants someone other than the asker.
 * `label={false}` here and below: the show layout then draws no (empty) label above it.
 */
function PendingNotice(_props: { label: false }) {
  const record = useRecordContext<KillSwitch>();
  const translate = useTranslate();
  const { identity } = useGetIdentity();
  if (!record) {
    return null;
  }
  const pendingFire = record.state === 'pending_approval';
  const pendingLift = record.state === 'active' && record.liftRequestedAt !== null;
  if (!pendingFire && !pendingLift) {
    return null;
  }
  const requesterId = pendingFire ? record.createdById : record.liftRequestedById;
  const requester = pendingFire ? record.createdBy : (record.liftRequestedBy ?? '');
  const mine = identity !== undefined && requesterId === identity.id;
  const key = `crossgate.killSwitches.pending.${pendingFire ? 'fire' : 'lift'}${mine ? 'Mine' : ''}`;
  return <Alert severity="warning">{translate(key, { requester, reason: record.liftRequestReason ?? '' })}</Alert>;
}

/** Who approved, who asked to lift and why, and how it ended: each only once it is so. */
function LaterFields(_props: { label: false }) {
  const record = useRecordContext<KillSwitch>();
  if (!record) {
    return null;
  }
  const text = ['approvedBy', 'liftRequestedBy', 'liftRequestReason'] as const;
  const ended = ['liftedBy', 'liftReason'] as const;
  return (
    <Stack sx={{ gap: 1 }}>
      {text.map((field) => record[field] !== null && <Labeled key={field}><TextField source={field} /></Labeled>)}
      {record.liftedAt !== null && (
        <Labeled>
          <RelativeDateField source="liftedAt" />
        </Labeled>
      )}
      {ended.map((field) => record[field] !== null && <Labeled key={field}><TextField source={field} /></Labeled>)}
    </Stack>
  );
}

export function KillSwitchShow() {
  const translate = useTranslate();
  return (
    <RecordShow
      actions={<KillSwitchActions />}
      // Live while the fan-out runs or an approval is awaited; still otherwise.
      queryOptions={{ refetchInterval: (query) => (query.state.data && isSettling(query.state.data as KillSwitch) ? pollMilliseconds : false) }}
    >
      <PendingNotice label={false} />
      <TargetField source="targetLabel" link />
      <StateField source="state" />
      <TextField source="reason" />
      <TextField source="createdBy" />
      <RelativeDateField source="requestedAt" />
      <RelativeDateField source="activatedAt" emptyText="—" />
      <RelativeDateField source="expiresAt" emptyText={translate('crossgate.killSwitches.untilLifted')} />
      <LaterFields label={false} />
      <NumberField source="tokensRevoked" />
      <Labeled label={translate('crossgate.killSwitches.progress.title')}>
        <FanOutProgress />
      </Labeled>
      <Labeled label={translate('crossgate.killSwitches.receipt.title')}>
        <ReceiptTable />
      </Labeled>
    </RecordShow>
  );
}
