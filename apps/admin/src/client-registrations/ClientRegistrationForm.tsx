import { required, TextInput } from 'react-admin';

import { AppPairInputs } from '../common/inputs.tsx';
import { RecordCreate, RecordEdit } from '../common/views.tsx';

/** One registration per client and resource; the API answers 409 to a second one. */
function ClientRegistrationInputs() {
  return (
    <>
      <AppPairInputs />
      <TextInput
        source="remoteClientId"
        validate={required()}
        helperText="The client_id its ID-JAGs for this resource carry instead of its Crossgate client ID"
      />
    </>
  );
}

export const ClientRegistrationCreate = () => (
  <RecordCreate>
    <ClientRegistrationInputs />
  </RecordCreate>
);

export const ClientRegistrationEdit = () => (
  <RecordEdit>
    <ClientRegistrationInputs />
  </RecordEdit>
);
