import { ReferenceField, TextArrayField, TextField, UrlField } from 'react-admin';

import { IssueCredentialButton } from '../common/IssueCredentialButton.tsx';
import { JsonField } from '../common/json.tsx';
import { StatusField } from '../common/StatusField.tsx';
import { RecordShow } from '../common/views.tsx';
import { KillSwitchShowActions } from '../kill-switches/KillSwitchButton.tsx';

function TrustedIdpShowActions() {
  return (
    <KillSwitchShowActions scope="idp">
      <IssueCredentialButton
        resource="trusted-idps"
        path={(record) => `/api/trusted-idps/${encodeURIComponent(String(record.id))}/scim-token`}
        field="token"
        what="SCIM token"
        replaces={() => false}
        explanation="The IdP provisions users and groups at /scim/v2 with this bearer token, and only its own. A SCIM token made before stops working at once."
        replacing=""
      />
    </KillSwitchShowActions>
  );
}

export function TrustedIdpShow() {
  return (
    <RecordShow actions={<TrustedIdpShowActions />}>
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
