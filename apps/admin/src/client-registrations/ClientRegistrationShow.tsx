import { ReferenceField, TextField } from 'react-admin';

import { RecordShow } from '../common/views.tsx';

export function ClientRegistrationShow() {
  return (
    <RecordShow>
      <ReferenceField source="clientId" reference="clients" link="show" />
      <ReferenceField source="resourceId" reference="resources" link="show" />
      <TextField source="remoteClientId" sx={{ fontFamily: 'monospace' }} />
    </RecordShow>
  );
}
