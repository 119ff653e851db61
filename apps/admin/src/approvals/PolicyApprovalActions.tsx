/**
 * @overview The two-person rule for policies in the console: "Request approval" on a policy's page
 * (`POST /api/policies/:id/approval-requests`), and Approve / Reject with a reason in the approvals
 * inbox (`POST /api/approvals/:id/approve|reject`). The API refuses the admin who asked, so Approve is
 * not offered to them (their Reject withdraws the request); any refusal shows as the API words it.
 */
import ApproveIcon from '@mui/icons-material/CheckCircle';
import RejectIcon from '@mui/icons-material/DoNotDisturb';
import RequestIcon from '@mui/icons-material/HowToVote';
import { Stack } from '@mui/material';
import type { ReactElement } from 'react';
import { useCanAccess, useGetIdentity, useNotify, useRecordContext, useRefresh } from 'react-admin';

import { ReasonDialogButton } from '../common/ReasonDialog.tsx';
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

/** One button and its confirmation dialog, posting `{ reason? }` (or `{ note? }`, when optional) to `path`. */
export function ActionButton({ label, title, text, path, reason: reasonRule, done, icon, color }: ActionProps) {
  const notify = useNotify();
  const refresh = useRefresh();
  const submit = async (reason: string) => {
    const body = reason === '' ? {} : reasonRule === 'required' ? { reason } : { note: reason };
    await httpClient(path, { method: 'POST', body: JSON.stringify(body) });
    notify(done, { type: 'success' });
    refresh();
  };
  return (
    <ReasonDialogButton
      label={label}
      icon={icon}
      id={path.replace(/\W+/g, '-')}
      title={title}
      text={text}
      reason={reasonRule}
      reasonLabel={reasonRule === 'required' ? 'Reason' : 'Note for the approver'}
      submitLabel={label}
      color={color}
      onSubmit={submit}
    />
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
