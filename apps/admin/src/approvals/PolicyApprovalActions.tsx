/**
 * @overview The two-person rule for policies in the console: "Request approval" on a policy's page
 * (`POST /api/policies/:id/approval-requests`), and Approve / Reject with a reason in the approvals
 * inbox (`POST /api/approvals/:id/approve|reject`). The API refuses the admin who asked, so Approve is
 * not offered to them (their Reject withdraws the request); any refusal shows as the API words it.
 */
import ApproveIcon from '@mui/icons-material/CheckCircle';
import RejectIcon from '@mui/icons-material/DoNotDisturb';
import RequestIcon from '@mui/icons-material/HowToVote';
import { Alert, Button as MuiButton, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle, Stack, TextField } from '@mui/material';
import { type FormEvent, type ReactElement, useState } from 'react';
import { Button, HttpError, useCanAccess, useGetIdentity, useNotify, useRecordContext, useRefresh } from 'react-admin';

import { httpClient } from '../http.ts';

/** A policy approval request as `GET /api/approvals` lists it. */
export interface PolicyApproval {
  id: string;
  policyId: string;
  policyName: string;
  pairLabel: string;
  requestedBy: string;
  requestedById: string | null;
  impactSummary: string;
  status: string;
}

interface ActionProps {
  label: string;
  title: string;
  text: string;
  path: string;
  reason: 'required' | 'optional' | 'none';
  done: string;
  icon: ReactElement;
  color: 'primary' | 'error' | 'success';
}

/** One button and its confirmation dialog, posting `{ reason? }` to `path`. */
function ActionButton({ label, title, text, path, reason: reasonRule, done, icon, color }: ActionProps) {
  const notify = useNotify();
  const refresh = useRefresh();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [pending, setPending] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
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
      const body = reasonRule === 'none' || reason.trim() === '' ? {} : reasonRule === 'required' ? { reason: reason.trim() } : { note: reason.trim() };
      await httpClient(path, { method: 'POST', body: JSON.stringify(body) });
      notify(done, { type: 'success' });
      close();
      refresh();
    } catch (caught) {
      setProblem(caught instanceof HttpError || caught instanceof Error ? caught.message : String(caught));
    } finally {
      setPending(false);
    }
  };
  const titleId = `${path.replace(/\W+/g, '-')}-title`;
  const ready = !pending && (reasonRule !== 'required' || reason.trim().length >= 3);
  return (
    <>
      <Button label={label} color={color} onClick={(event) => { event.stopPropagation(); setOpen(true); }}>
        {icon}
      </Button>
      <Dialog open={open} onClose={pending ? undefined : close} onClick={(event) => event.stopPropagation()} maxWidth="sm" fullWidth aria-labelledby={titleId}>
        <form onSubmit={(event) => void submit(event)} noValidate>
          <DialogTitle id={titleId}>{title}</DialogTitle>
          <DialogContent>
            <Stack sx={{ gap: 2 }}>
              <DialogContentText>{text}</DialogContentText>
              {reasonRule !== 'none' && (
                <TextField
                  label={reasonRule === 'required' ? 'Reason' : 'Note for the approver'}
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
              Cancel
            </MuiButton>
            <MuiButton type="submit" variant="contained" color={color} disabled={!ready}>
              {label}
            </MuiButton>
          </DialogActions>
        </form>
      </Dialog>
    </>
  );
}

/** Approve (not for the admin who asked) and Reject (their own: Withdraw), for one pending request. */
export function PolicyApprovalDecisionButtons() {
  const record = useRecordContext<PolicyApproval>();
  const { identity } = useGetIdentity();
  const { canAccess } = useCanAccess({ resource: 'approvals', action: 'edit' });
  if (!record || record.status !== 'pending' || !canAccess) {
    return null;
  }
  const own = identity?.id === record.requestedById;
  const what = `${record.policyName} (${record.pairLabel})`;
  return (
    <Stack direction="row">
      {!own && (
        <ActionButton
          label="Approve"
          title="Approve this policy?"
          text={`${what} becomes active at once. ${record.impactSummary}`}
          path={`/api/approvals/${record.id}/approve`}
          reason="none"
          done="Approved: the policy is active"
          icon={<ApproveIcon />}
          color="success"
        />
      )}
      <ActionButton
        label={own ? 'Withdraw' : 'Reject'}
        title={own ? 'Withdraw your request?' : 'Reject this request?'}
        text={own ? `${what} stays as it is.` : `${what} stays as it is; ${record.requestedBy} sees your reason.`}
        path={`/api/approvals/${record.id}/reject`}
        reason={own ? 'none' : 'required'}
        done={own ? 'Request withdrawn' : 'Request rejected'}
        icon={<RejectIcon />}
        color="error"
      />
    </Stack>
  );
}

/** On a policy's page: ask another it-admin to make it active (the only way a policy becomes active). */
export function RequestApprovalButton() {
  const record = useRecordContext<{ id: string; name: string; status: string }>();
  const { canAccess } = useCanAccess({ resource: 'policies', action: 'edit' });
  if (!record || record.status === 'active' || !canAccess) {
    return null;
  }
  return (
    <ActionButton
      label="Request approval"
      title="Ask another it-admin to activate this policy?"
      text={`${record.name} becomes active when another it-admin approves it in Approvals; they see who gains and loses access.`}
      path={`/api/policies/${record.id}/approval-requests`}
      reason="optional"
      done="Approval requested: it waits in Approvals"
      icon={<RequestIcon />}
      color="primary"
    />
  );
}
