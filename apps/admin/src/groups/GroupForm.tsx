import { required, TextInput } from 'react-admin';

import { ReferenceSelect } from '../common/inputs.tsx';
import { RecordCreate, RecordEdit } from '../common/views.tsx';

function GroupInputs() {
  return (
    <>
      <TextInput source="name" validate={required()} helperText="The value as it appears in the IdP's groups claim" />
      <TextInput source="description" multiline />
      <ReferenceSelect source="idpId" reference="trusted-idps" helperText="Leave empty when the group is not tied to one IdP" />
    </>
  );
}

export const GroupCreate = () => (
  <RecordCreate>
    <GroupInputs />
  </RecordCreate>
);

export const GroupEdit = () => (
  <RecordEdit>
    <GroupInputs />
  </RecordEdit>
);
