import { Alert, Box, Button, Card, CardContent, Stack, TextField, Typography } from '@mui/material';
import { useState } from 'react';
import { Create, required, SimpleForm, TextInput, Title, useRedirect } from 'react-admin';

import { InstantInput, ReferenceSelect } from '../common/inputs.tsx';
import type { ApiToken } from './tokenState.tsx';

/** The create response is the only place the token's value ever appears. */
interface CreatedApiToken extends ApiToken {
  token: string;
}

const defaultLifetimeDays = 90;

function TokenReveal({ created }: { created: CreatedApiToken }) {
  const redirect = useRedirect();
  const [copied, setCopied] = useState<boolean>();
  const copy = async () => {
    // The clipboard API exists only in secure contexts (https or localhost); elsewhere, select and copy by hand.
    try {
      await navigator.clipboard.writeText(created.token);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };
  return (
    <Card sx={{ mt: 2, maxWidth: 760 }}>
      <Title title="API token created" />
      <CardContent>
        <Stack spacing={2}>
          <Typography variant="h6">API token “{created.name}” created</Typography>
          <Alert severity="warning">
            Copy the token now: it will not be shown again. Crossgate keeps only a hash of it.
          </Alert>
          <TextField
            label="Token"
            value={created.token}
            fullWidth
            onFocus={(event) => event.target.select()}
            slotProps={{ htmlInput: { readOnly: true, 'aria-label': 'New API token', style: { fontFamily: 'monospace' } } }}
          />
          {copied === false && <Alert severity="info">Could not copy automatically: select the token and copy it.</Alert>}
          <Box sx={{ display: 'flex', gap: 1 }}>
            <Button variant="contained" onClick={() => void copy()}>
              {copied ? 'Copied' : 'Copy token'}
            </Button>
            <Button onClick={() => redirect('show', 'api-tokens', created.id)}>I have stored it</Button>
          </Box>
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
