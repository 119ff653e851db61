import { Alert } from '@mui/material';
import { DateField, EmailField, ReferenceField, TextField, useRecordContext } from 'react-admin';

import { StatusField } from '../common/StatusField.tsx';
import { RecordShow } from '../common/views.tsx';
import { isPattern, PatternField, patterns } from './patterns.tsx';

function PatternSummary() {
  const pattern: unknown = useRecordContext()?.['pattern'];
  if (!isPattern(pattern)) {
    return null;
  }
  return <Alert severity={pattern === 'service_account' ? 'warning' : 'info'}>{patterns[pattern].summary}</Alert>;
}

export function ConnectionShow() {
  return (
    <RecordShow>
      <PatternSummary />
      <TextField source="name" />
      <TextField source="description" emptyText="—" />
      <PatternField source="pattern" />
      <ReferenceField source="clientId" reference="clients" link="show" />
      <ReferenceField source="resourceId" reference="resources" link="show" />
      <EmailField source="owner" />
      <StatusField source="status" />
      <TextField source="justification" emptyText="—" />
      <DateField source="sunsetAt" emptyText="—" />
      <DateField source="lastUsedAt" showTime emptyText="Never" />
    </RecordShow>
  );
}
