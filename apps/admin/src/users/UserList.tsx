import { userStatuses } from '@crossgate/domain';
import { DataTable } from 'react-admin';

import { RelativeDateField } from '../common/RelativeDateField.tsx';
import { ReferenceSelect, statusFilter } from '../common/inputs.tsx';
import { StatusField } from '../common/StatusField.tsx';
import { RecordList, ReferenceColumn, searchFilter } from '../common/views.tsx';

const filters = [
  searchFilter,
  statusFilter(userStatuses),
  <ReferenceSelect key="idpId" source="idpId" reference="trusted-idps" />,
  <ReferenceSelect key="groupId" source="groupId" reference="groups" />,
];

export function UserList() {
  return (
    <RecordList sort={{ field: 'email', order: 'ASC' }} filters={filters}>
      <DataTable.Col source="email" />
      <DataTable.Col source="displayName" />
      <DataTable.Col source="subject" />
      <ReferenceColumn source="idpId" reference="trusted-idps" />
      <DataTable.Col source="status" field={StatusField} />
      <DataTable.Col source="lastSeenAt">
        <RelativeDateField source="lastSeenAt" emptyText="Never" />
      </DataTable.Col>
    </RecordList>
  );
}
