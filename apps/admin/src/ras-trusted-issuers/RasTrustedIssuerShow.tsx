import { ReferenceField, TextField, UrlField } from 'react-admin';

import { JsonField } from '../common/json.tsx';
import { StatusField } from '../common/StatusField.tsx';
import { RecordShow } from '../common/views.tsx';

export function RasTrustedIssuerShow() {
  return (
    <RecordShow>
      <ReferenceField source="resourceId" reference="resources" link="show" />
      <TextField source="issuer" />
      <UrlField source="jwksUri" emptyText="—" />
      <JsonField source="jwks" />
      <StatusField source="status" />
    </RecordShow>
  );
}
