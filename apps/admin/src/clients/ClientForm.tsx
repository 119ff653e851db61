import { required, SelectInput, TextArrayInput, TextInput } from 'react-admin';

import { OwnerInput, StatusInput } from '../common/inputs.tsx';
import { JsonInput } from '../common/json.tsx';
import { RecordCreate, RecordEdit } from '../common/views.tsx';
import { authMethodChoices, kindChoices } from './choices.ts';

function ClientInputs() {
  return (
    <>
      <TextInput source="name" validate={required()} />
      <TextInput source="clientId" validate={required()} helperText="The client_id it presents at the token endpoint" />
      <SelectInput source="kind" choices={kindChoices} defaultValue="requesting_app" validate={required()} />
      <TextInput source="description" multiline />
      <TextInput source="idpClientId" helperText="Its client id at the upstream IdP: the audience of the ID tokens it presents" />
      <SelectInput source="authMethod" choices={authMethodChoices} defaultValue="private_key_jwt" validate={required()} />
      <TextInput source="jwksUri" helperText="Where its public keys are published (private_key_jwt needs this or a pinned JWKS)" />
      <JsonInput source="jwks" helperText='Pinned public keys, e.g. {"keys": [ … ]}' />
      <TextArrayInput source="scopeCeiling" helperText="The most it may ever be granted, whatever a policy says; press Enter after each" />
      <OwnerInput />
      <StatusInput />
    </>
  );
}

export const ClientCreate = () => (
  <RecordCreate>
    <ClientInputs />
  </RecordCreate>
);

export const ClientEdit = () => (
  <RecordEdit>
    <ClientInputs />
  </RecordEdit>
);
