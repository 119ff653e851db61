import { DataTable } from 'react-admin';

import { ReferenceSelect } from '../common/inputs.tsx';
import { RecordList, ReferenceColumn, searchFilter } from '../common/views.tsx';

const filters = [
  searchFilter,
  <ReferenceSelect key="clientId" source="clientId" reference="clients" />,
  <ReferenceSelect key="resourceId" source="resourceId" reference="resources" />,
];

export function ClientRegistrationList() {
  return (
    <RecordList sort={{ field: 'remoteClientId', order: 'ASC' }} filters={filters}>
      <ReferenceColumn source="clientId" reference="clients" />
      <ReferenceColumn source="resourceId" reference="resources" />
      <DataTable.Col source="remoteClientId" sx={{ fontFamily: 'monospace' }} />
    </RecordList>
  );
}
