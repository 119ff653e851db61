import { membershipSources } from '@crossgate/domain';
import { DataTable, SelectField, SelectInput } from 'react-admin';

import { RelativeDateField } from '../common/RelativeDateField.tsx';
import { choicesOf } from '../common/choices.ts';
import { ReferenceSelect } from '../common/inputs.tsx';
import { RecordList, ReferenceColumn } from '../common/views.tsx';

// Memberships have no text of their own to search, so the list filters by either side instead.
const sourceChoices = choicesOf(membershipSources);

const filters = [
  <ReferenceSelect key="userId" source="userId" reference="users" alwaysOn />,
  <ReferenceSelect key="groupId" source="groupId" reference="groups" alwaysOn />,
  <SelectInput key="source" source="source" choices={sourceChoices} />,
];

export function MembershipList() {
  return (
    <RecordList sort={{ field: 'createdAt', order: 'DESC' }} filters={filters}>
      <ReferenceColumn source="userId" reference="users" />
      <ReferenceColumn source="groupId" reference="groups" />
      <DataTable.Col source="source">
        <SelectField source="source" choices={sourceChoices} />
      </DataTable.Col>
      <DataTable.Col source="createdAt" field={RelativeDateField} />
    </RecordList>
  );
}
