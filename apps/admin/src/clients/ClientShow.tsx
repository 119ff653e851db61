import {
  BooleanField,
  EditButton,
  DataTable,
  EmailField,
  SelectField,
  TextArrayField,
  TextField,
  TopToolbar,
  UrlField,
} from 'react-admin';

import { JsonField } from '../common/json.tsx';
import { StatusField } from '../common/StatusField.tsx';
import { AppPairRecords, RecordShow, ReferenceColumn, RelatedRecords } from '../common/views.tsx';
import { PatternField } from '../connections/patterns.tsx';
import { KillSwitchButton } from '../kill-switches/KillSwitchButton.tsx';
import { kindChoices } from './choices.ts';
import { ClientSecretButton } from './ClientSecretButton.tsx';

function ClientShowActions() {
  return (
    <TopToolbar>
      <ClientSecretButton />
      <KillSwitchButton scope="client" />
      <EditButton />
    </TopToolbar>
  );
}

export function ClientShow() {
  return (
    <RecordShow actions={<ClientShowActions />}>
      <TextField source="name" />
      <TextField source="clientId" sx={{ fontFamily: 'monospace' }} />
      <SelectField source="kind" choices={kindChoices} />
      <TextField source="description" emptyText="—" />
      <TextField source="authMethod" />
      <UrlField source="jwksUri" emptyText="—" />
      <JsonField source="jwks" />
      <TextArrayField source="scopeCeiling" emptyText="No ceiling set: policies alone decide" />
      <TextField source="idpClientId" emptyText="Not set" />
      <BooleanField source="hasSecret" label="Client secret set" />
      <EmailField source="owner" />
      <StatusField source="status" />
      <AppPairRecords label="Policies" reference="policies" side="clientId">
        <DataTable.Col source="status" field={StatusField} />
      </AppPairRecords>
      <AppPairRecords label="Connections" reference="connections" side="clientId">
        <DataTable.Col source="pattern" field={PatternField} />
      </AppPairRecords>
      <RelatedRecords label="Registrations at resources" reference="client-registrations" target="clientId" sort={{ field: 'remoteClientId', order: 'ASC' }}>
        <ReferenceColumn source="resourceId" reference="resources" />
        <DataTable.Col source="remoteClientId" sx={{ fontFamily: 'monospace' }} />
      </RelatedRecords>
    </RecordShow>
  );
}
