/**
 * @overview A high-risk tool call waiting at the MCP gateway: Approve lets it go to the upstream MCP
 * server, Reject refuses it with a reason the agent is told (`POST /api/tool-call-approvals/:id/approve|reject`).
 * Only an it-admin or incident responder sees the buttons; the API refuses anyone else, and a call
 * made for the admin themselves.
 */
import ApproveIcon from '@mui/icons-material/CheckCircle';
import RejectIcon from '@mui/icons-material/DoNotDisturb';
import { Stack } from '@mui/material';
import { useCanAccess, useRecordContext } from 'react-admin';

import { ActionButton } from './PolicyApprovalActions.tsx';

/** A tool call approval as `GET /api/tool-call-approvals` lists it. */
export interface ToolCallApproval {
  id: string;
  tool: string;
  resourceName: string;
  userLabel: string;
  agentClientId: string;
  summary: string | null;
  status: string;
}

export function ToolCallApprovalDecisionButtons() {
  const record = useRecordContext<ToolCallApproval>();
  const { canAccess } = useCanAccess({ resource: 'tool-call-approvals', action: 'edit' });
  if (!record || record.status !== 'pending' || !canAccess) {
    return null;
  }
  const what = `${record.tool} at ${record.resourceName}, for ${record.userLabel} through ${record.agentClientId}`;
  return (
    <Stack direction="row">
      <ActionButton
        label="Approve"
        title="Approve this tool call?"
        text={`${what} goes to the upstream MCP server at once.${record.summary === null ? '' : ` The agent says: “${record.summary}”.`}`}
        path={`/api/tool-call-approvals/${record.id}/approve`}
        reason="none"
        done="Approved: the call goes ahead"
        icon={<ApproveIcon />}
        color="success"
      />
      <ActionButton
        label="Reject"
        title="Reject this tool call?"
        text={`${what} is refused; the agent is told your reason.`}
        path={`/api/tool-call-approvals/${record.id}/reject`}
        reason="required"
        done="Rejected: the call is refused"
        icon={<RejectIcon />}
        color="error"
      />
    </Stack>
  );
}
