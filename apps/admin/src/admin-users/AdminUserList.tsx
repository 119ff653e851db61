import { DataTable, SelectField, SelectInput } from 'react-admin';

import { RelativeDateField } from '../common/RelativeDateField.tsx';
import { statusFilter } from '../common/inputs.tsx';
import { StatusField } from '../common/StatusField.tsx';
import { RecordList, searchFilter } from '../common/views.tsx';
import { roleChoices } from './choices.ts';

const filters = [
  searchFilter,
  <SelectInput key="role" source="role" choices={roleChoices} />,
  statusFilter(),
];

export function AdminUserList() {
  return (
    <RecordList sort={{ field: 'email', order: 'ASC' }} filters={filters}>
      <DataTable.Col source="email" />
      <DataTable.Col source="displayName" />
      <DataTable.Col source="role">
        <SelectField source="role" choices={roleChoices} />
      </DataTable.Col>
      <DataTable.Col source="status" field={StatusField} />
      <DataTable.Col source="lastLoginAt">
        <RelativeDateField source="lastLoginAt" emptyText="Never" />
      </DataTable.Col>
    </RecordList>
  );
}
