import { required, SelectInput, TextInput } from 'react-admin';

import { ReferenceSelect } from '../common/inputs.tsx';
import { RecordCreate, RecordEdit } from '../common/views.tsx';
import { adminRoleChoices } from './choices.ts';

/** A mapping names a Crossgate group, an admin role, or both; the API refuses one with neither. */
function GroupMappingInputs() {
  return (
    <>
      <ReferenceSelect source="idpId" reference="trusted-idps" validate={required()} />
      <TextInput source="externalGroup" validate={required()} helperText="Exactly as the IdP puts it in the groups claim" />
      <ReferenceSelect source="groupId" reference="groups" />
      <SelectInput
        source="adminRole"
        choices={adminRoleChoices}
        emptyText="No admin role"
        helperText="Members of the IdP group become Crossgate admins with this role"
      />
    </>
  );
}

export const GroupMappingCreate = () => (
  <RecordCreate>
    <GroupMappingInputs />
  </RecordCreate>
);

export const GroupMappingEdit = () => (
  <RecordEdit>
    <GroupMappingInputs />
  </RecordEdit>
);
