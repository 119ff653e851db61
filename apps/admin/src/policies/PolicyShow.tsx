import { Stack, Typography } from '@mui/material';
import {
  EditButton,
  Labeled,
  ReferenceArrayField,
  ReferenceField,
  TextArrayField,
  TextField,
  TopToolbar,
  useRecordContext,
} from 'react-admin';

import { RequestApprovalButton } from '../approvals/PolicyApprovalActions.tsx';
import { RelativeDateField } from '../common/RelativeDateField.tsx';
import { StatusField } from '../common/StatusField.tsx';
import { RecordShow } from '../common/views.tsx';
import { ConditionsField } from './conditions.tsx';
import { WhatIfPanel } from './WhatIfPanel.tsx';

/** "Everyone", or the groups and users the policy names. */
function SubjectsField(_props: { label?: string }) {
  const everyone = useRecordContext()?.['everyone'] === true;
  if (everyone) {
    return <Typography variant="body2">Everyone at the trusted IdPs</Typography>;
  }
  return (
    <Stack direction="row" sx={{ gap: 4 }}>
      <Labeled label="Groups">
        <ReferenceArrayField source="subjectGroupIds" reference="groups" />
      </Labeled>
      <Labeled label="Users">
        <ReferenceArrayField source="subjectUserIds" reference="users" />
      </Labeled>
    </Stack>
  );
}

export function PolicyShow() {
  return (
    <RecordShow
      actions={
        <TopToolbar>
          <RequestApprovalButton />
          <EditButton />
        </TopToolbar>
      }
    >
      <TextField source="name" />
      <TextField source="description" emptyText="—" />
      <ReferenceField source="clientId" reference="clients" link="show" />
      <ReferenceField source="resourceId" reference="resources" link="show" />
      <StatusField source="effect" />
      <SubjectsField label="Who" />
      <TextArrayField source="scopes" emptyText="None" />
      <ConditionsField label="Conditions" />
      <StatusField source="status" />
      <TextField source="approvedBy" emptyText="Not published yet" />
      <RelativeDateField source="approvedAt" emptyText="—" />
      <RelativeDateField source="expiresAt" emptyText="Does not expire" />
      <WhatIfPanel />
    </RecordShow>
  );
}
