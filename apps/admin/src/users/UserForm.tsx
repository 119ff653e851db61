import { userStatuses } from '@crossgate/domain';
import { email, required, TextInput } from 'react-admin';

import { ReferenceSelect, StatusInput } from '../common/inputs.tsx';
import { RecordCreate, RecordEdit } from '../common/views.tsx';

/** People normally arrive from ID tokens or SCIM; this form is for corrections and test users. */
function UserInputs() {
  return (
    <>
      <ReferenceSelect source="idpId" reference="trusted-idps" validate={required()} />
      <TextInput source="subject" validate={required()} helperText="The sub claim at that IdP" />
      <TextInput source="email" type="email" validate={email()} />
      <TextInput source="displayName" />
      <StatusInput values={userStatuses} />
    </>
  );
}

export const UserCreate = () => (
  <RecordCreate>
    <UserInputs />
  </RecordCreate>
);

export const UserEdit = () => (
  <RecordEdit>
    <UserInputs />
  </RecordEdit>
);
