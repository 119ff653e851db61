import { DataTable } from 'react-admin';

import { RelativeDateField } from '../common/RelativeDateField.tsx';
import { statusFilter } from '../common/inputs.tsx';
import { StatusField } from '../common/StatusField.tsx';
import { RecordList, searchFilter } from '../common/views.tsx';
import { ClientSecretField } from './ClientSecretField.tsx';

const filters = [searchFilter, statusFilter()];

export function OAuthProviderList() {
  return (
    <RecordList sort={{ field: 'name', order: 'ASC' }} filters={filters}>
      <DataTable.Col source="name" />
      <DataTable.Col source="issuer" />
      <DataTable.Col source="clientId" disableSort sx={{ fontFamily: 'monospace' }} />
      <DataTable.Col source="hasClientSecret" disableSort>
        <ClientSecretField />
      </DataTable.Col>
      <DataTable.Col source="status" field={StatusField} />
      <DataTable.Col source="updatedAt" field={RelativeDateField} />
    </RecordList>
  );
}
