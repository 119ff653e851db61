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
import { Alert, Button as MuiButton, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle, Stack, TextField } from '@mui/material';
import { type FormEvent, type ReactElement, useState } from 'react';
import { Button, HttpError, TopToolbar, useCanAccess, useGetIdentity, useNotify, useRecordContext, useRefresh, useTranslate } from 'react-admin';

import { httpClient } from '../http.ts';
import type { KillSwitch } from './types.ts';

type Transition = 'approve' | 'reject' | 'lift';

function messageOf(caught: unknown): string {
  return caught instanceof HttpError || caught instanceof Error ? caught.message : String(caught);
}

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
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [pending, setPending] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  if (!record) {
    return null;
  }
  const key = (name: string) => `crossgate.killSwitches.${messages}.${name}`;
  const close = () => {
    setOpen(false);
    setReason('');
    setProblem(null);
  };
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setPending(true);
    setProblem(null);
    try {
      const body = reasonRule === 'none' || reason.trim() === '' ? {} : { reason: reason.trim() };
      const { json } = await httpClient(`/api/kill-switches/${record.id}/${transition}`, { method: 'POST', body: JSON.stringify(body) });
      const after = json as KillSwitch;
      // Lifting an IdP-wide or global switch only asks for it: the switch stays in force until approved.
      notify(after.liftRequestedAt !== null && transition === 'lift' ? 'crossgate.killSwitches.lift.requested' : key('done'), { type: 'success' });
      close();
      refresh();
    } catch (caught) {
      setProblem(messageOf(caught));
    } finally {
      setPending(false);
    }
  };
  const titleId = `kill-switch-${transition}-title`;
  const ready = !pending && (reasonRule !== 'required' || reason.trim().length >= 3);
  return (
    <>
      <Button label={translate(key('button'))} color={color} onClick={() => setOpen(true)}>
        {icon}
      </Button>
      <Dialog open={open} onClose={pending ? undefined : close} maxWidth="sm" fullWidth aria-labelledby={titleId}>
        <form onSubmit={(event) => void submit(event)} noValidate>
          <DialogTitle id={titleId}>{translate(key('title'))}</DialogTitle>
          <DialogContent>
            <Stack sx={{ gap: 2 }}>
              <DialogContentText>{translate(key('text'), { target: record.targetLabel })}</DialogContentText>
              {reasonRule !== 'none' && (
                <TextField
                  label={translate('crossgate.killSwitches.fire.reason')}
                  value={reason}
                  onChange={(event) => setReason(event.target.value)}
                  required={reasonRule === 'required'}
                  autoFocus
                  fullWidth
                  slotProps={{ htmlInput: { maxLength: 2000 } }}
                />
              )}
              {problem && (
                <Alert severity="error" role="alert">
                  {problem}
                </Alert>
              )}
            </Stack>
          </DialogContent>
          <DialogActions>
            <MuiButton onClick={close} disabled={pending}>
              {translate('ra.action.cancel')}
            </MuiButton>
            <MuiButton type="submit" variant="contained" color={color} disabled={!ready}>
              {translate(key('button'))}
            </MuiButton>
          </DialogActions>
        </form>
      </Dialog>
    </>
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
