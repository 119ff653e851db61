import { DataTable, EmailField, SelectField, SelectInput } from 'react-admin';

import { statusFilter } from '../common/inputs.tsx';
import { StatusField } from '../common/StatusField.tsx';
import { RecordList, searchFilter } from '../common/views.tsx';
import { kindChoices, subjectTypeChoices } from './choices.ts';

const filters = [
  searchFilter,
  <SelectInput key="kind" source="kind" choices={kindChoices} />,
  <SelectInput key="subjectType" source="subjectType" choices={subjectTypeChoices} />,
  statusFilter(),
];

export function ResourceList() {
  return (
    <RecordList sort={{ field: 'name', order: 'ASC' }} filters={filters}>
      <DataTable.Col source="name" />
      <DataTable.Col source="slug" />
      <DataTable.Col source="kind">
        <SelectField source="kind" choices={kindChoices} />
      </DataTable.Col>
      <DataTable.Col source="authorizationServer" disableSort />
      <DataTable.Col source="owner" field={EmailField} />
      <DataTable.Col source="status" field={StatusField} />
    </RecordList>
  );
}
