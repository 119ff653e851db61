import {
  ArrayField,
  DataTable,
  EmailField,
  SelectField,
  TextArrayField,
  TextField,
  UrlField,
} from 'react-admin';

import { StatusField } from '../common/StatusField.tsx';
import { AppPairRecords, RecordShow } from '../common/views.tsx';
import { PatternField } from '../connections/patterns.tsx';
import { kindChoices } from './choices.ts';

export function ResourceShow() {
  return (
    <RecordShow>
      <TextField source="name" />
      <TextField source="slug" />
      <SelectField source="kind" choices={kindChoices} />
      <TextField source="description" emptyText="—" />
      <UrlField source="authorizationServer" />
      <TextArrayField source="resourceIndicators" />
      <ArrayField source="scopes" label="Scope catalogue">
        <DataTable bulkActionButtons={false} empty={<span>No scopes yet</span>}>
          <DataTable.Col source="name" label="Scope" disableSort sx={{ fontFamily: 'monospace' }} />
          <DataTable.Col source="description" disableSort />
          <DataTable.Col source="risk" field={StatusField} disableSort />
        </DataTable>
      </ArrayField>
      <EmailField source="owner" />
      <StatusField source="status" />
      <AppPairRecords label="Policies" reference="policies" side="resourceId">
        <DataTable.Col source="status" field={StatusField} />
      </AppPairRecords>
      <AppPairRecords label="Connections" reference="connections" side="resourceId">
        <DataTable.Col source="pattern" field={PatternField} />
      </AppPairRecords>
    </RecordShow>
  );
}
