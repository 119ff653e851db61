import {
  BooleanField,
  DataTable,
  EmailField,
  SelectField,
  TextArrayField,
  TextField,
  UrlField,
} from 'react-admin';

import { IssueCredentialButton } from '../common/IssueCredentialButton.tsx';
import { JsonField } from '../common/json.tsx';
import { StatusField } from '../common/StatusField.tsx';
import { AppPairRecords, RecordShow, ReferenceColumn, RelatedRecords } from '../common/views.tsx';
import { PatternField } from '../connections/patterns.tsx';
import { KillSwitchShowActions } from '../kill-switches/KillSwitchButton.tsx';
import { kindChoices } from './choices.ts';

function ClientShowActions() {
  return (
    <KillSwitchShowActions scope="client">
      <IssueCredentialButton
        resource="clients"
        path={(record) => `/api/clients/${encodeURIComponent(String(record.id))}/secret`}
        field="clientSecret"
        what="client secret"
        replaces={(record) => record['hasSecret'] === true}
        explanation="Crossgate generates a random secret; it is checked when the client authenticates with client_secret_basic or client_secret_post."
        replacing="The current secret stops working at once, everywhere: the app must be given the new one."
      />
    </KillSwitchShowActions>
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
