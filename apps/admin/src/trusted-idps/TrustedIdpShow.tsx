import { ReferenceField, TextArrayField, TextField, UrlField } from 'react-admin';

import { JsonField } from '../common/json.tsx';
import { StatusField } from '../common/StatusField.tsx';
import { RecordShow } from '../common/views.tsx';
import { KillSwitchShowActions } from '../kill-switches/KillSwitchButton.tsx';

export function TrustedIdpShow() {
  return (
    <RecordShow actions={<KillSwitchShowActions scope="idp" />}>
      <TextField source="name" />
      <UrlField source="issuer" target="_blank" rel="noreferrer" />
      <TextArrayField source="audiences" />
      <TextField source="groupsClaim" />
      <ReferenceField source="adminSignInProviderId" reference="oauth-providers" link="show" label="Admin sign-in through" emptyText="Not used for admin sign-in" />
      <UrlField source="jwksUri" emptyText="Discovered from the issuer's metadata" />
      <JsonField source="jwks" />
      <StatusField source="status" />
    </RecordShow>
  );
}
