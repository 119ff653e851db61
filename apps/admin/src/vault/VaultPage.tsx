/**
 * The vault, seen from the credentials it holds: every vaulted key and service-account password,
 * which connection hands it out, when it was last rotated and is next due, and whether rotations
 * fail. Values are never listed; a credential's page (the connection's) holds its versions.
 */
import { Alert } from '@mui/material';
import { DataTable, List, Title, useRecordContext } from 'react-admin';

import { RelativeDateField } from '../common/RelativeDateField.tsx';
import { ReferenceColumn, searchFilter } from '../common/views.tsx';
import { RotationBadge } from '../connections/ConnectionList.tsx';
import { PatternField, vaultedPatterns } from '../connections/patterns.tsx';

/** Whether the credential can be rotated automatically: only with a hook at its target. */
function RotationHook() {
  const record = useRecordContext();
  return record?.['rotationHookUrl'] ? 'Automatic' : 'Manual only (no hook)';
}

export function VaultPage() {
  return (
    <>
      <Title title="Vault" />
      <Alert severity="info" sx={{ mt: 1 }}>
        Vaulted credentials are encrypted at rest and never shown here. Open one to see its versions, rotate it, or set a new value.
      </Alert>
      <List
        resource="connections"
        filter={{ pattern: vaultedPatterns }}
        filters={[searchFilter]}
        sort={{ field: 'name', order: 'ASC' }}
        exporter={false}
        perPage={25}
        disableSyncWithLocation
        title={false}
      >
        <DataTable rowClick="show" bulkActionButtons={false}>
          <DataTable.Col source="name" />
          <DataTable.Col source="pattern" field={PatternField} />
          <ReferenceColumn source="clientId" reference="clients" />
          <ReferenceColumn source="resourceId" reference="resources" />
          <DataTable.Col source="lastRotatedAt" disableSort>
            <RelativeDateField source="lastRotatedAt" emptyText="Never" />
          </DataTable.Col>
          <DataTable.Col source="nextRotationAt" disableSort>
            <RelativeDateField source="nextRotationAt" emptyText="Not scheduled" />
          </DataTable.Col>
          <DataTable.Col source="rotationHookUrl" label="Rotation hook" disableSort>
            <RotationHook />
          </DataTable.Col>
          <DataTable.Col source="rotationStatus" disableSort>
            <RotationBadge />
          </DataTable.Col>
        </DataTable>
      </List>
    </>
  );
}
