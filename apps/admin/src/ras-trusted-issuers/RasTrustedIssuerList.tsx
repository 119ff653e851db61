import { DataTable } from 'react-admin';

import { RelativeDateField } from '../common/RelativeDateField.tsx';
import { ReferenceSelect, statusFilter } from '../common/inputs.tsx';
import { StatusField } from '../common/StatusField.tsx';
import { RecordList, ReferenceColumn, searchFilter } from '../common/views.tsx';

const filters = [searchFilter, <ReferenceSelect key="resourceId" source="resourceId" reference="resources" />, statusFilter()];

export function RasTrustedIssuerList() {
  return (
    <RecordList sort={{ field: 'issuer', order: 'ASC' }} filters={filters}>
      <ReferenceColumn source="resourceId" reference="resources" />
      <DataTable.Col source="issuer" />
      <DataTable.Col source="status" field={StatusField} />
      <DataTable.Col source="updatedAt" field={RelativeDateField} />
    </RecordList>
  );
}
