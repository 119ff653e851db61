import { DataTable, EmailField, SelectField, SelectInput, TextInput } from 'react-admin';

import { statusFilter } from '../common/inputs.tsx';
import { StatusField } from '../common/StatusField.tsx';
import { RecordList, searchFilter } from '../common/views.tsx';
import { authMethodChoices, kindChoices } from './choices.ts';

const filters = [
  searchFilter,
  <SelectInput key="kind" source="kind" choices={kindChoices} />,
  statusFilter(),
  <SelectInput key="authMethod" source="authMethod" choices={authMethodChoices} />,
  <TextInput key="owner" source="owner" type="email" />,
];

export function ClientList() {
  return (
    <RecordList sort={{ field: 'name', order: 'ASC' }} filters={filters}>
      <DataTable.Col source="name" />
      <DataTable.Col source="clientId" />
      <DataTable.Col source="kind">
        <SelectField source="kind" choices={kindChoices} />
      </DataTable.Col>
      <DataTable.Col source="authMethod" disableSort />
      <DataTable.Col source="owner" field={EmailField} />
      <DataTable.Col source="status" field={StatusField} />
    </RecordList>
  );
}
