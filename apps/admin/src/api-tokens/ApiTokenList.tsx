import { DataTable } from 'react-admin';

import { RelativeDateField } from '../common/RelativeDateField.tsx';
import { ReferenceSelect } from '../common/inputs.tsx';
import { RecordList, ReferenceColumn, searchFilter } from '../common/views.tsx';
import { TokenStateField } from './tokenState.tsx';

const filters = [searchFilter, <ReferenceSelect key="adminUserId" source="adminUserId" reference="admin-users" />];

export function ApiTokenList() {
  return (
    <RecordList sort={{ field: 'createdAt', order: 'DESC' }} filters={filters}>
      <DataTable.Col source="name" />
      <DataTable.Col source="prefix" disableSort sx={{ fontFamily: 'monospace' }} />
      <ReferenceColumn source="adminUserId" reference="admin-users" />
      <DataTable.Col label="State" field={TokenStateField} />
      <DataTable.Col source="expiresAt" field={RelativeDateField} />
      <DataTable.Col source="lastUsedAt">
        <RelativeDateField source="lastUsedAt" emptyText="Never" />
      </DataTable.Col>
      <DataTable.Col source="createdAt" field={RelativeDateField} />
    </RecordList>
  );
}
