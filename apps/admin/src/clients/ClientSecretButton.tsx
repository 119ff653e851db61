/**
 * Set or reset a client's secret from its page (POST /api/clients/:id/secret). A reset stops the old
 * secret at once, so it asks first; the new secret is shown once, in the dialog. Shown only to roles
 * that may change clients; the API enforces that regardless.
 */
import KeyIcon from '@mui/icons-material/Key';
import { Alert, Button as MuiButton, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle, Stack } from '@mui/material';
import { useState } from 'react';
import { Button, HttpError, useCanAccess, useRecordContext, useRefresh } from 'react-admin';

import { OneTimeSecret } from '../common/OneTimeSecret.tsx';
import { httpClient } from '../http.ts';

export function ClientSecretButton() {
  const record = useRecordContext();
  const refresh = useRefresh();
  const { canAccess } = useCanAccess({ resource: 'clients', action: 'edit' });
  const [open, setOpen] = useState(false);
  const [secret, setSecret] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (!record || !canAccess) {
    return null;
  }
  const replacing = record['hasSecret'] === true;
  const verb = replacing ? 'Reset' : 'Set';

  const issue = async () => {
    setBusy(true);
    setError(null);
    try {
      const { json } = await httpClient(`/api/clients/${encodeURIComponent(String(record.id))}/secret`, { method: 'POST' });
      setSecret((json as { clientSecret: string }).clientSecret);
    } catch (caught) {
      setError(caught instanceof HttpError ? caught.message : String(caught));
    } finally {
      setBusy(false);
    }
  };
  const close = () => {
    setOpen(false);
    setError(null);
    if (secret) {
      setSecret(null);
      refresh();
    }
  };

  return (
    <>
      <Button label={`${verb} client secret`} onClick={() => setOpen(true)}>
        <KeyIcon />
      </Button>
      <Dialog open={open} onClose={close} aria-labelledby="client-secret-title" maxWidth="sm" fullWidth>
        <DialogTitle id="client-secret-title">
          {secret ? 'New client secret' : `${verb} the client secret of ${String(record['name'])}?`}
        </DialogTitle>
        <DialogContent>
          {secret ? (
            <Stack spacing={2} sx={{ pt: 1 }}>
              <OneTimeSecret label="Client secret" value={secret} what="client secret" />
            </Stack>
          ) : (
            <DialogContentText>
              {replacing
                ? 'The current secret stops working at once, everywhere: the app must be given the new one.'
                : 'Crossgate generates a random secret; it is checked when the client authenticates with client_secret_basic or client_secret_post.'}
            </DialogContentText>
          )}
          {error && <Alert severity="error">{error}</Alert>}
        </DialogContent>
        <DialogActions>
          {secret ? (
            <MuiButton onClick={close}>I have stored it</MuiButton>
          ) : (
            <>
              <MuiButton onClick={close}>Cancel</MuiButton>
              <MuiButton variant="contained" color={replacing ? 'error' : 'primary'} disabled={busy} onClick={() => void issue()}>
                {verb} secret
              </MuiButton>
            </>
          )}
        </DialogActions>
      </Dialog>
    </>
  );
}
