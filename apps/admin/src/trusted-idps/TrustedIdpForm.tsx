import { required, TextArrayInput, TextInput } from 'react-admin';

import { ReferenceSelect, StatusInput } from '../common/inputs.tsx';
import { JsonInput } from '../common/json.tsx';
import { RecordCreate, RecordEdit } from '../common/views.tsx';

function TrustedIdpInputs() {
  return (
    <>
      <TextInput source="name" validate={required()} />
      <TextInput source="issuer" validate={required()} helperText="Compared exactly with the ID token's iss" />
      <TextArrayInput source="audiences" validate={required()} helperText="The client ids at this IdP; press Enter after each" />
      <TextInput source="groupsClaim" defaultValue="groups" validate={required()} />
      <ReferenceSelect
        source="adminSignInProviderId"
        reference="oauth-providers"
        label="Admin sign-in through"
        helperText="Crossgate's OAuth client at this IdP (same issuer): admins sign in to the console with it; group mappings with an admin role give the role"
      />
      <TextInput source="jwksUri" helperText="Leave empty to discover it from the issuer's metadata" />
      <JsonInput source="jwks" helperText="Optional pinned key set, used instead of the JWKS URI" />
      <StatusInput />
    </>
  );
}

export const TrustedIdpCreate = () => (
  <RecordCreate>
    <TrustedIdpInputs />
  </RecordCreate>
);

export const TrustedIdpEdit = () => (
  <RecordEdit>
    <TrustedIdpInputs />
  </RecordEdit>
);
