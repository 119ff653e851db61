import {
  ArrayField,
  BooleanField,
  DataTable,
  EmailField,
  FunctionField,
  NumberField,
  SelectField,
  TextArrayField,
  TextField,
  UrlField,
} from 'react-admin';

import { StatusField } from '../common/StatusField.tsx';
import { AppPairRecords, RecordShow, ReferenceColumn, RelatedRecords } from '../common/views.tsx';
import { PatternField } from '../connections/patterns.tsx';
import { KillSwitchShowActions } from '../kill-switches/KillSwitchButton.tsx';
import { kindChoices, subjectTypeChoices } from './choices.ts';

/** The tool → scope map as a small table (tools in name order). */
function ToolScopesTable({ map }: { map: Record<string, string> }) {
  const entries = Object.entries(map).sort(([a], [b]) => a.localeCompare(b));
  if (entries.length === 0) {
    return <span>No published tools</span>;
  }
  return (
    <table>
      <thead>
        <tr>
          <th scope="col" style={{ textAlign: 'left', paddingRight: 24 }}>
            Tool
          </th>
          <th scope="col" style={{ textAlign: 'left' }}>
            Scope
          </th>
        </tr>
      </thead>
      <tbody>
        {entries.map(([tool, scope]) => (
          <tr key={tool}>
            <td style={{ fontFamily: 'monospace', paddingRight: 24 }}>{tool}</td>
            <td style={{ fontFamily: 'monospace' }}>{scope}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function ResourceShow() {
  return (
    <RecordShow actions={<KillSwitchShowActions scope="resource" />}>
      <TextField source="name" />
      <TextField source="slug" />
      <SelectField source="kind" choices={kindChoices} />
      <TextField source="description" emptyText="—" />
      <UrlField source="authorizationServer" />
      <BooleanField source="rasEnabled" />
      <NumberField source="accessTokenLifetimeSeconds" />
      <BooleanField source="idJagReusable" />
      <TextArrayField source="resourceIndicators" />
      <ArrayField source="scopes" label="Scope catalogue">
        <DataTable bulkActionButtons={false} empty={<span>No scopes yet</span>}>
          <DataTable.Col source="name" label="Scope" disableSort sx={{ fontFamily: 'monospace' }} />
          <DataTable.Col source="description" disableSort />
          <DataTable.Col source="risk" field={StatusField} disableSort />
        </DataTable>
      </ArrayField>
      <SelectField source="subjectType" choices={subjectTypeChoices} />
      <BooleanField source="releaseEmail" />
      <TextField source="gatewayUpstreamUrl" emptyText="— (not fronted by the MCP gateway)" />
      <FunctionField<{ gatewayUpstreamUrl?: string | null; gatewayToolScopes?: Record<string, string> }>
        source="gatewayToolScopes"
        render={(record) => <ToolScopesTable map={record.gatewayUpstreamUrl ? (record.gatewayToolScopes ?? {}) : {}} />}
      />
      <TextField source="gatewayKeyHeader" sx={{ fontFamily: 'monospace' }} />
      <TextArrayField source="gatewayApprovalTools" emptyText="—" />
      <NumberField source="gatewayApprovalTimeoutSeconds" />
      <EmailField source="owner" />
      <StatusField source="status" />
      <AppPairRecords label="Policies" reference="policies" side="resourceId">
        <DataTable.Col source="status" field={StatusField} />
      </AppPairRecords>
      <AppPairRecords label="Connections" reference="connections" side="resourceId">
        <DataTable.Col source="pattern" field={PatternField} />
      </AppPairRecords>
      <RelatedRecords label="Client registrations" reference="client-registrations" target="resourceId" sort={{ field: 'remoteClientId', order: 'ASC' }}>
        <ReferenceColumn source="clientId" reference="clients" />
        <DataTable.Col source="remoteClientId" sx={{ fontFamily: 'monospace' }} />
      </RelatedRecords>
      <RelatedRecords label="Trusted ID-JAG issuers" reference="ras-trusted-issuers" target="resourceId" sort={{ field: 'issuer', order: 'ASC' }}>
        <DataTable.Col source="issuer" />
        <DataTable.Col source="status" field={StatusField} />
      </RelatedRecords>
    </RecordShow>
  );
}
