import { DataTable } from 'react-admin';

import { RelativeDateField } from '../common/RelativeDateField.tsx';
import { ReferenceSelect } from '../common/inputs.tsx';
import { RecordList, ReferenceColumn, searchFilter } from '../common/views.tsx';

const filters = [searchFilter, <ReferenceSelect key="idpId" source="idpId" reference="trusted-idps" />];

export function GroupList() {
  return (
    <RecordList sort={{ field: 'name', order: 'ASC' }} filters={filters}>
      <DataTable.Col source="name" />
      <DataTable.Col source="description" disableSort />
      <ReferenceColumn source="idpId" reference="trusted-idps" emptyText="Any" />
      <DataTable.Col source="updatedAt" field={RelativeDateField} />
    </RecordList>
  );
}
