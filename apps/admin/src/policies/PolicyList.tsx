import { policyEffects, policyStatuses } from '@crossgate/domain';
import { DataTable, SelectInput, TextArrayField } from 'react-admin';

import { RelativeDateField } from '../common/RelativeDateField.tsx';
import { choicesOf } from '../common/choices.ts';
import { ReferenceSelect, statusFilter } from '../common/inputs.tsx';
import { StatusField } from '../common/StatusField.tsx';
import { RecordList, ReferenceColumn, searchFilter } from '../common/views.tsx';

const filters = [
  searchFilter,
  <ReferenceSelect key="clientId" source="clientId" reference="clients" alwaysOn />,
  <ReferenceSelect key="resourceId" source="resourceId" reference="resources" alwaysOn />,
  statusFilter(policyStatuses),
  <SelectInput key="effect" source="effect" choices={choicesOf(policyEffects)} />,
  <ReferenceSelect key="groupId" source="groupId" reference="groups" />,
  <ReferenceSelect key="userId" source="userId" reference="users" />,
];

export function PolicyList() {
  return (
    <RecordList sort={{ field: 'name', order: 'ASC' }} filters={filters}>
      <DataTable.Col source="name" />
      <ReferenceColumn source="clientId" reference="clients" />
      <ReferenceColumn source="resourceId" reference="resources" />
      <DataTable.Col source="effect" field={StatusField} />
      <DataTable.Col source="scopes" field={TextArrayField} disableSort />
      <DataTable.Col source="status" field={StatusField} />
      <DataTable.Col source="expiresAt">
        <RelativeDateField source="expiresAt" emptyText="—" />
      </DataTable.Col>
    </RecordList>
  );
}
