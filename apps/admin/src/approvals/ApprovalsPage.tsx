/**
 * What waits for a second person: kill switches that need another responder's approval before they
 * fire, and draft policies not yet published (publishing records who approved them).
 */
import { Alert, Card, CardContent, Stack, Typography } from '@mui/material';
import type { ReactNode } from 'react';
import { DataTable, ListBase, ReferenceField, type SortPayload, TextField, Title, useListContext } from 'react-admin';

import { RelativeDateField } from '../common/RelativeDateField.tsx';
import { TargetField } from '../kill-switches/KillSwitchFields.tsx';

function Waiting({ empty, children }: { empty: string; children: ReactNode }) {
  const { total, isPending } = useListContext();
  if (!isPending && total === 0) {
    return <Alert severity="success">{empty}</Alert>;
  }
  return (
    <DataTable rowClick="show" bulkActionButtons={false}>
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
  children: ReactNode;
}

function Queue({ title, resource, filter, sort, empty, children }: QueueProps) {
  return (
    <Card>
      <CardContent>
        <Typography variant="h6" component="h2">
          {title}
        </Typography>
        <ListBase resource={resource} filter={filter} sort={sort} perPage={25} disableSyncWithLocation>
          <Waiting empty={empty}>{children}</Waiting>
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
        title="Draft policies waiting to be published"
        resource="policies"
        filter={{ status: 'draft' }}
        sort={{ field: 'updatedAt', order: 'DESC' }}
        empty="No draft policy waits to be published."
      >
        <DataTable.Col source="name">
          <TextField source="name" />
        </DataTable.Col>
        <DataTable.Col source="clientId" label="Client" disableSort>
          <ReferenceField source="clientId" reference="clients" link="show" />
        </DataTable.Col>
        <DataTable.Col source="resourceId" label="Resource" disableSort>
          <ReferenceField source="resourceId" reference="resources" link="show" />
        </DataTable.Col>
        <DataTable.Col source="updatedAt" label="Last changed">
          <RelativeDateField source="updatedAt" />
        </DataTable.Col>
      </Queue>
    </Stack>
  );
}
