import { DataTable, EmailField, SelectField, TextField } from 'react-admin';

import { RelativeDateField } from '../common/RelativeDateField.tsx';
import { StatusField } from '../common/StatusField.tsx';
import { RecordShow, RelatedRecords } from '../common/views.tsx';
import { roleChoices } from './choices.ts';

/** The password is write-only: the API never returns it, and this view has nowhere to show it. */
export function AdminUserShow() {
  return (
    <RecordShow>
      <EmailField source="email" />
      <TextField source="displayName" />
      <SelectField source="role" choices={roleChoices} />
      <StatusField source="status" />
      <RelativeDateField source="lastLoginAt" emptyText="Never" />
      <RelatedRecords label="API tokens" reference="api-tokens" target="adminUserId" sort={{ field: 'createdAt', order: 'DESC' }}>
        <DataTable.Col source="name" />
        <DataTable.Col source="prefix" disableSort />
        <DataTable.Col source="expiresAt" field={RelativeDateField} />
        <DataTable.Col source="revokedAt">
          <RelativeDateField source="revokedAt" emptyText="—" />
        </DataTable.Col>
      </RelatedRecords>
    </RecordShow>
  );
}
