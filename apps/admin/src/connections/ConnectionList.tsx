import { Chip } from '@mui/material';
import { DataTable, EmailField, SelectInput, useRecordContext, useTranslate } from 'react-admin';

import { RelativeDateField } from '../common/RelativeDateField.tsx';
import { ReferenceSelect, statusFilter } from '../common/inputs.tsx';
import { StatusField } from '../common/StatusField.tsx';
import { RecordList, ReferenceColumn, searchFilter } from '../common/views.tsx';
import { patternChoices, PatternField } from './patterns.tsx';

const filters = [
  searchFilter,
  <SelectInput key="pattern" source="pattern" choices={patternChoices} alwaysOn />,
  statusFilter(),
  <ReferenceSelect key="clientId" source="clientId" reference="clients" />,
  <ReferenceSelect key="resourceId" source="resourceId" reference="resources" />,
];

/** The alert badge of a failed rotation, its reason on hover; nothing while rotations succeed. */
export function RotationBadge() {
  const record = useRecordContext();
  const translate = useTranslate();
  if (record?.['rotationStatus'] !== 'failed') {
    return null;
  }
  const reason = record['rotationError'];
  return <Chip size="small" color="error" label={translate('crossgate.connections.rotation.failed')} title={typeof reason === 'string' ? reason : undefined} />;
}

export function ConnectionList() {
  return (
    <RecordList sort={{ field: 'name', order: 'ASC' }} filters={filters}>
      <DataTable.Col source="name" />
      <DataTable.Col source="pattern" field={PatternField} />
      <ReferenceColumn source="clientId" reference="clients" />
      <ReferenceColumn source="resourceId" reference="resources" />
      <DataTable.Col source="owner" field={EmailField} />
      <DataTable.Col source="status" field={StatusField} />
      <DataTable.Col source="lastUsedAt">
        <RelativeDateField source="lastUsedAt" emptyText="Never" />
      </DataTable.Col>
      <DataTable.Col source="lastRotatedAt" disableSort>
        <RelativeDateField source="lastRotatedAt" emptyText="—" />
      </DataTable.Col>
      <DataTable.Col source="nextRotationAt" disableSort>
        <RelativeDateField source="nextRotationAt" emptyText="—" />
      </DataTable.Col>
      <DataTable.Col source="rotationStatus" disableSort>
        <RotationBadge />
      </DataTable.Col>
      <DataTable.Col source="sunsetAt">
        <RelativeDateField source="sunsetAt" emptyText="—" />
      </DataTable.Col>
    </RecordList>
  );
}
