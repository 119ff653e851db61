import { Grid } from '@mui/material';
import { Labeled, Show, SimpleShowLayout, TextField } from 'react-admin';

import { RelativeDateField } from '../common/RelativeDateField.tsx';
import { JsonField } from '../common/json.tsx';
import { StatusField } from '../common/StatusField.tsx';
import { ActorField } from './ActorField.tsx';
import { TargetField } from './TargetField.tsx';
import { TokenTrailField } from './TokenTrailField.tsx';

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
        <RelativeDateField source="at" />
        <TextField source="action" sx={{ fontFamily: 'monospace' }} />
        <ActorField label="Actor" />
        <TextField source="actorType" />
        <TargetField label="Target" />
        <TokenTrailField label={false} />
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
