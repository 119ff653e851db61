import { DataTable, SelectField, SelectInput } from 'react-admin';

import { ReferenceSelect } from '../common/inputs.tsx';
import { RecordList, ReferenceColumn, searchFilter } from '../common/views.tsx';
import { adminRoleChoices } from './choices.ts';

const filters = [
  searchFilter,
  <ReferenceSelect key="idpId" source="idpId" reference="trusted-idps" />,
  <ReferenceSelect key="groupId" source="groupId" reference="groups" />,
  <SelectInput key="adminRole" source="adminRole" choices={adminRoleChoices} />,
];

export function GroupMappingList() {
  return (
    <RecordList sort={{ field: 'externalGroup', order: 'ASC' }} filters={filters}>
      <DataTable.Col source="externalGroup" />
      <ReferenceColumn source="idpId" reference="trusted-idps" />
      <ReferenceColumn source="groupId" reference="groups" emptyText="—" />
      <DataTable.Col source="adminRole">
        <SelectField source="adminRole" choices={adminRoleChoices} emptyText="—" />
      </DataTable.Col>
    </RecordList>
  );
}
