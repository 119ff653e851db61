import { DataTable, TextArrayField, TextField, UrlField, useTranslate } from 'react-admin';

import { StatusField } from '../common/StatusField.tsx';
import { RecordShow, RelatedRecords, ReferenceColumn } from '../common/views.tsx';
import { PatternField } from '../connections/patterns.tsx';
import { ClientSecretField } from './ClientSecretField.tsx';

export function OAuthProviderShow() {
  const translate = useTranslate();
  const discovered = translate('crossgate.oauthProviders.discovered');
  return (
    <RecordShow>
      <TextField source="name" />
      <UrlField source="issuer" target="_blank" rel="noreferrer" />
      <TextField source="clientId" sx={{ fontFamily: 'monospace' }} />
      <ClientSecretField label={translate('resources.oauth-providers.fields.hasClientSecret')} />
      <TextArrayField source="scopes" emptyText="—" />
      <UrlField source="authorizationEndpoint" emptyText={discovered} />
      <UrlField source="tokenEndpoint" emptyText={discovered} />
      <UrlField source="revocationEndpoint" emptyText={discovered} />
      <StatusField source="status" />
      <RelatedRecords label={translate('crossgate.oauthProviders.connections')} reference="connections" target="oauthProviderId" sort={{ field: 'name', order: 'ASC' }}>
        <DataTable.Col source="name" />
        <ReferenceColumn source="clientId" reference="clients" />
        <ReferenceColumn source="resourceId" reference="resources" />
        <DataTable.Col source="pattern" field={PatternField} />
        <DataTable.Col source="status" field={StatusField} />
      </RelatedRecords>
    </RecordShow>
  );
}
