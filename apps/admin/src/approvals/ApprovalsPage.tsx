/**
 * What waits for a second person: kill switches that need another responder's approval before they
 * fire, high-risk tool calls held at the MCP gateway, and policies that become active only when
 * another it-admin approves them, each with who gains and loses access in plain words.
 */
import { Alert, Card, CardContent, Stack, Typography } from '@mui/material';
import type { ReactNode } from 'react';
import { DataTable, ListBase, ReferenceField, type SortPayload, Title, useListContext } from 'react-admin';

import { RelativeDateField } from '../common/RelativeDateField.tsx';
import { TargetField } from '../kill-switches/KillSwitchFields.tsx';
import { PolicyApprovalDecisionButtons } from './PolicyApprovalActions.tsx';
import { ToolCallApprovalDecisionButtons } from './ToolCallApprovalActions.tsx';

function Waiting({ empty, rowClick, children }: { empty: string; rowClick: string | false; children: ReactNode }) {
  const { total, isPending } = useListContext();
  if (!isPending && total === 0) {
    return <Alert severity="success">{empty}</Alert>;
  }
  return (
    <DataTable rowClick={rowClick} bulkActionButtons={false}>
      {children}
    </DataTable>
  );
}

interface QueueProps {
  title: string;
  resource: string;
  filter: Record<string, string>;
  sort: SortPayload;
  empty: string;
  /** The inbox row's own page, or none (a policy approval is decided in its row). */
  rowClick?: string | false;
  children: ReactNode;
}

function Queue({ title, resource, filter, sort, empty, rowClick = 'show', children }: QueueProps) {
  return (
    <Card>
      <CardContent>
        <Typography variant="h6" component="h2">
          {title}
        </Typography>
        <ListBase resource={resource} filter={filter} sort={sort} perPage={25} disableSyncWithLocation>
          <Waiting empty={empty} rowClick={rowClick}>
            {children}
          </Waiting>
        </ListBase>
      </CardContent>
    </Card>
  );
}

export function ApprovalsPage() {
  return (
    <Stack sx={{ mt: 2, gap: 2 }}>
      <Title title="Approvals" />
      <Queue
        title="Kill switches waiting for approval"
        resource="kill-switches"
        filter={{ state: 'pending_approval' }}
        sort={{ field: 'requestedAt', order: 'DESC' }}
        empty="No kill switch waits for approval."
      >
        <DataTable.Col source="targetLabel" label="Target" disableSort field={TargetField} />
        <DataTable.Col source="reason" disableSort />
        <DataTable.Col source="createdBy" label="Requested by" disableSort />
        <DataTable.Col source="requestedAt" label="Requested">
          <RelativeDateField source="requestedAt" />
        </DataTable.Col>
      </Queue>
      <Queue
        title="Tool calls waiting for approval"
        resource="tool-call-approvals"
        filter={{ status: 'pending' }}
        sort={{ field: 'requestedAt', order: 'DESC' }}
        empty="No tool call waits for approval."
        rowClick={false}
      >
        <DataTable.Col source="tool" disableSort sx={{ fontFamily: 'monospace' }} />
        <DataTable.Col source="resourceName" label="Resource" disableSort />
        <DataTable.Col source="userLabel" label="User" disableSort />
        <DataTable.Col source="agentClientId" label="Agent" disableSort />
        <DataTable.Col source="summary" label="What the agent says it does" disableSort />
        <DataTable.Col source="requestedAt" label="Requested">
          <RelativeDateField source="requestedAt" />
        </DataTable.Col>
        <DataTable.Col source="expiresAt" label="Times out" disableSort>
          <RelativeDateField source="expiresAt" />
        </DataTable.Col>
        <DataTable.Col label="Decision" disableSort>
          <ToolCallApprovalDecisionButtons />
        </DataTable.Col>
      </Queue>
      <Queue
        title="Policies waiting for approval"
        resource="approvals"
        filter={{ status: 'pending' }}
        sort={{ field: 'requestedAt', order: 'DESC' }}
        empty="No policy waits for approval."
        rowClick={false}
      >
        <DataTable.Col source="policyName" label="Policy" disableSort>
          <ReferenceField source="policyId" reference="policies" link="show" />
        </DataTable.Col>
        <DataTable.Col source="pairLabel" label="App pair" disableSort />
        <DataTable.Col source="impactSummary" label="Who gains and loses access" disableSort />
        <DataTable.Col source="note" disableSort />
        <DataTable.Col source="requestedBy" label="Requested by" disableSort />
        <DataTable.Col source="requestedAt" label="Requested">
          <RelativeDateField source="requestedAt" />
        </DataTable.Col>
        <DataTable.Col label="Decision" disableSort>
          <PolicyApprovalDecisionButtons />
        </DataTable.Col>
      </Queue>
    </Stack>
  );
}
