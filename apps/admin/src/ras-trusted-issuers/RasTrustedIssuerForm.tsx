import { required, TextInput } from 'react-admin';

import { ReferenceSelect, StatusInput } from '../common/inputs.tsx';
import { JsonInput } from '../common/json.tsx';
import { RecordCreate, RecordEdit } from '../common/views.tsx';

function RasTrustedIssuerInputs() {
  return (
    <>
      <ReferenceSelect source="resourceId" reference="resources" validate={required()} helperText="A resource protected by Crossgate" />
      <TextInput source="issuer" validate={required()} helperText="Compared exactly with the ID-JAG's iss" />
      <TextInput source="jwksUri" helperText="Where its keys are published (or pin them below)" />
      <JsonInput source="jwks" helperText="Pinned key set, used instead of the JWKS URI" />
      <StatusInput />
    </>
  );
}

export const RasTrustedIssuerCreate = () => (
  <RecordCreate>
    <RasTrustedIssuerInputs />
  </RecordCreate>
);

export const RasTrustedIssuerEdit = () => (
  <RecordEdit>
    <RasTrustedIssuerInputs />
  </RecordEdit>
);
