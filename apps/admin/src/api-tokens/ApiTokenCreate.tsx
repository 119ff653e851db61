import { Button, Card, CardContent, Stack, Typography } from '@mui/material';
import { useState } from 'react';
import { Create, required, SimpleForm, TextInput, Title, useRedirect } from 'react-admin';

import { InstantInput, ReferenceSelect } from '../common/inputs.tsx';
import { OneTimeSecret } from '../common/OneTimeSecret.tsx';
import type { ApiToken } from './tokenState.tsx';

/** The create response is the only place the token's value ever appears. */
interface CreatedApiToken extends ApiToken {
  token: string;
}

const defaultLifetimeDays = 90;

function TokenReveal({ created }: { created: CreatedApiToken }) {
  const redirect = useRedirect();
  return (
    <Card sx={{ mt: 2, maxWidth: 760 }}>
      <Title title="API token created" />
      <CardContent>
        <Stack spacing={2}>
          <Typography variant="h6">API token “{created.name}” created</Typography>
          <OneTimeSecret label="New API token" value={created.token} what="token">
            <Button onClick={() => redirect('show', 'api-tokens', created.id)}>I have stored it</Button>
          </OneTimeSecret>
        </Stack>
      </CardContent>
    </Card>
  );
}

export function ApiTokenCreate() {
  const [created, setCreated] = useState<CreatedApiToken>();
  if (created) {
    return <TokenReveal created={created} />;
  }
  const defaultExpiry = new Date(Date.now() + defaultLifetimeDays * 24 * 3600 * 1000);
  return (
    <Create mutationOptions={{ onSuccess: (record: CreatedApiToken) => setCreated(record) }}>
      <SimpleForm>
        <TextInput source="name" validate={required()} helperText="What uses it, e.g. the Terraform pipeline" />
        <InstantInput source="expiresAt" defaultValue={defaultExpiry} validate={required()} helperText="At most 366 days ahead" />
        <ReferenceSelect source="adminUserId" reference="admin-users" helperText="The admin it acts as; leave empty for yourself" />
      </SimpleForm>
    </Create>
  );
}
