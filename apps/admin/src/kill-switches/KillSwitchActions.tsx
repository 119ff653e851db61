/**
 * @overview The switch page's toolbar: approve or reject a pending firing or lift (the two-person
 * rule: the API refuses the admin who asked, so Approve is not offered to them, and any refusal is
 * shown in the dialog as the API words it), lift with a reason, queue dead-lettered lines again,
 * and download the whole receipt as JSON (`GET /api/kill-switches/:id/receipt`).
 */
import ApproveIcon from '@mui/icons-material/CheckCircle';
import DownloadIcon from '@mui/icons-material/Download';
import LiftIcon from '@mui/icons-material/LockOpen';
import RejectIcon from '@mui/icons-material/DoNotDisturb';
import RedriveIcon from '@mui/icons-material/Replay';
import { Button as MuiButton } from '@mui/material';
import { type ReactElement, useState } from 'react';
import { Button, TopToolbar, useCanAccess, useGetIdentity, useNotify, useRecordContext, useRefresh, useTranslate } from 'react-admin';

import { messageOf, ReasonDialogButton } from '../common/ReasonDialog.tsx';
import { httpClient } from '../http.ts';
import type { KillSwitch } from './types.ts';

type Transition = 'approve' | 'reject' | 'lift';

interface TransitionButtonProps {
  transition: Transition;
  /** Message keys under crossgate.killSwitches.<key>: button, title, text. */
  messages: string;
  icon: ReactElement;
  reason: 'required' | 'optional' | 'none';
  color: 'primary' | 'error' | 'success';
}

/** One button and its confirmation dialog for `POST /api/kill-switches/:id/<transition>`. */
function TransitionButton({ transition, messages, icon, reason: reasonRule, color }: TransitionButtonProps) {
  const record = useRecordContext<KillSwitch>();
  const translate = useTranslate();
  const notify = useNotify();
  const refresh = useRefresh();
  if (!record) {
    return null;
  }
  const key = (name: string) => `crossgate.killSwitches.${messages}.${name}`;
  const submit = async (reason: string) => {
    const body = reason === '' ? {} : { reason };
    const { json } = await httpClient(`/api/kill-switches/${record.id}/${transition}`, { method: 'POST', body: JSON.stringify(body) });
    const after = json as KillSwitch;
    // Lifting an IdP-wide or global switch only asks for it: the switch stays in force until approved.
    notify(after.liftRequestedAt !== null && transition === 'lift' ? 'crossgate.killSwitches.lift.requested' : key('done'), { type: 'success' });
    refresh();
  };
  return (
    <ReasonDialogButton
      label={translate(key('button'))}
      icon={icon}
      id={`kill-switch-${transition}`}
      title={translate(key('title'))}
      text={translate(key('text'), { target: record.targetLabel })}
      reason={reasonRule}
      reasonLabel={translate('crossgate.killSwitches.fire.reason')}
      submitLabel={translate(key('button'))}
      color={color}
      onSubmit={submit}
    />
  );
}

function RedriveButton() {
  const record = useRecordContext<KillSwitch>();
  const translate = useTranslate();
  const notify = useNotify();
  const refresh = useRefresh();
  const [pending, setPending] = useState(false);
  if (!record || record.progress.deadLettered === 0) {
    return null;
  }
  const redrive = async () => {
    setPending(true);
    try {
      const { json } = await httpClient(`/api/kill-switches/${record.id}/redrive`, { method: 'POST', body: '{}' });
      notify('crossgate.killSwitches.redrive.done', { type: 'success', messageArgs: { count: (json as { redriven: number }).redriven } });
      refresh();
    } catch (caught) {
      notify(messageOf(caught), { type: 'error' });
    } finally {
      setPending(false);
    }
  };
  return (
    <Button label={translate('crossgate.killSwitches.redrive.button')} onClick={() => void redrive()} disabled={pending}>
      <RedriveIcon />
    </Button>
  );
}

function ExportReceiptButton() {
  const record = useRecordContext<KillSwitch>();
  const translate = useTranslate();
  if (!record) {
    return null;
  }
  // A plain link: the API answers with an attachment, which the browser downloads with the session cookie.
  return (
    <MuiButton size="small" href={`/api/kill-switches/${record.id}/receipt`} download={`kill-switch-${record.id}-receipt.json`} startIcon={<DownloadIcon />}>
      {translate('crossgate.killSwitches.receipt.export')}
    </MuiButton>
  );
}

export function KillSwitchActions() {
  const record = useRecordContext<KillSwitch>();
  const { canAccess: canWrite } = useCanAccess({ resource: 'kill-switches', action: 'edit' });
  const { identity } = useGetIdentity();
  if (!record) {
    return <TopToolbar />;
  }
  const pendingFire = record.state === 'pending_approval';
  const pendingLift = record.state === 'active' && record.liftRequestedAt !== null;
  const requester = pendingFire ? record.createdById : pendingLift ? record.liftRequestedById : null;
  const askedByMe = identity !== undefined && requester !== null && requester === identity.id;
  return (
    <TopToolbar>
      {canWrite && (pendingFire || pendingLift) && !askedByMe && (
        <TransitionButton transition="approve" messages={pendingFire ? 'approveFire' : 'approveLift'} icon={<ApproveIcon />} reason="none" color="success" />
      )}
      {canWrite && (pendingFire || pendingLift) && (
        <TransitionButton transition="reject" messages={askedByMe ? 'withdraw' : 'reject'} icon={<RejectIcon />} reason="optional" color="primary" />
      )}
      {canWrite && record.state === 'active' && !pendingLift && <TransitionButton transition="lift" messages="lift" icon={<LiftIcon />} reason="required" color="primary" />}
      {canWrite && <RedriveButton />}
      <ExportReceiptButton />
    </TopToolbar>
  );
}
