import { Grid } from '@mui/material';
import { DateField, Labeled, Show, SimpleShowLayout, TextField } from 'react-admin';

import { JsonField } from '../common/json.tsx';
import { StatusField } from '../common/StatusField.tsx';
import { TargetField } from './TargetField.tsx';

const hashStyle = { fontFamily: 'monospace', fontSize: 12, wordBreak: 'break-all' } as const;

function BeforeAfterField(_props: { label?: string }) {
  return (
    <Grid container spacing={2}>
      <Grid size={{ xs: 12, md: 6 }}>
        <Labeled label="Before">
          <JsonField source="before" />
        </Labeled>
      </Grid>
      <Grid size={{ xs: 12, md: 6 }}>
        <Labeled label="After">
          <JsonField source="after" />
        </Labeled>
      </Grid>
    </Grid>
  );
}

export function AuditShow() {
  return (
    <Show>
      <SimpleShowLayout>
        <TextField source="seq" />
        <DateField source="at" showTime />
        <TextField source="action" sx={{ fontFamily: 'monospace' }} />
        <TextField source="actorLabel" emptyText="—" />
        <TextField source="actorType" />
        <TextField source="actorId" emptyText="—" />
        <TargetField label="Target" />
        <StatusField source="decision" />
        <TextField source="reason" emptyText="—" />
        <TextField source="requestId" emptyText="—" />
        <BeforeAfterField label="Change" />
        <JsonField source="context" />
        <TextField source="prevHash" sx={hashStyle} />
        <TextField source="hash" sx={hashStyle} />
      </SimpleShowLayout>
    </Show>
  );
}
