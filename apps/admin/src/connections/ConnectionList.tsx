import { DataTable, DateField, SelectInput } from 'react-admin';

import { ReferenceSelect, statusFilter } from '../common/inputs.tsx';
import { StatusField } from '../common/StatusField.tsx';
import { RecordList, ReferenceColumn, searchFilter } from '../common/views.tsx';
import { patternChoices, PatternField } from './patterns.tsx';

const filters = [
  searchFilter,
  <SelectInput key="pattern" source="pattern" choices={patternChoices} alwaysOn />,
  statusFilter(),
  <ReferenceSelect key="clientId" source="clientId" reference="clients" />,
  <ReferenceSelect key="resourceId" source="resourceId" reference="resources" />,
];

export function ConnectionList() {
  return (
    <RecordList sort={{ field: 'name', order: 'ASC' }} filters={filters}>
      <DataTable.Col source="name" />
      <DataTable.Col source="pattern" field={PatternField} />
      <ReferenceColumn source="clientId" reference="clients" />
      <ReferenceColumn source="resourceId" reference="resources" />
      <DataTable.Col source="status" field={StatusField} />
      <DataTable.Col source="sunsetAt">
        <DateField source="sunsetAt" emptyText="—" />
      </DataTable.Col>
      <DataTable.Col source="lastUsedAt">
        <DateField source="lastUsedAt" emptyText="Never" />
      </DataTable.Col>
    </RecordList>
  );
}
