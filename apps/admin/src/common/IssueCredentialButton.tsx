/**
 * Make a credential from a record's page (a client's secret, an IdP's SCIM token): it asks first,
 * since a new one stops the old one at once, and shows the new one once, in the dialog. Shown only
 * to roles that may change the record; the API enforces that regardless.
 */
import KeyIcon from '@mui/icons-material/Key';
import { Alert, Button as MuiButton, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle, Stack } from '@mui/material';
import { useId, useState } from 'react';
import { Button, HttpError, type RaRecord, useCanAccess, useRecordContext, useRefresh } from 'react-admin';

import { httpClient } from '../http.ts';
import { OneTimeSecret } from './OneTimeSecret.tsx';

export interface IssueCredentialProps {
  /** The resource whose edit permission the button needs. */
  resource: string;
  /** The POST path that makes the credential, for the record. */
  path: (record: RaRecord) => string;
  /** The field of the answer that holds the credential. */
  field: string;
  /** What it is, in words: "client secret", "SCIM token". */
  what: string;
  /** Whether the record already has one, which the new one replaces. */
  replaces: (record: RaRecord) => boolean;
  /** What the credential is for, said before it is made. */
  explanation: string;
  /** What making a new one does to the old one. */
  replacing: string;
}

export function IssueCredentialButton({ resource, path, field, what, replaces, explanation, replacing }: IssueCredentialProps) {
  const record = useRecordContext();
  const refresh = useRefresh();
  const titleId = useId();
  const { canAccess } = useCanAccess({ resource, action: 'edit' });
  const [open, setOpen] = useState(false);
  const [credential, setCredential] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (!record || !canAccess) {
    return null;
  }
  const replacingOne = replaces(record);
  const verb = replacingOne ? 'Reset' : 'Set';

  const issue = async () => {
    setBusy(true);
    setError(null);
    try {
      const { json } = await httpClient(path(record), { method: 'POST' });
      setCredential((json as Record<string, string>)[field] ?? null);
    } catch (caught) {
      setError(caught instanceof HttpError ? caught.message : String(caught));
    } finally {
      setBusy(false);
    }
  };
  const close = () => {
    setOpen(false);
    setError(null);
    if (credential) {
      setCredential(null);
      refresh();
    }
  };

  return (
    <>
      <Button label={`${verb} ${what}`} onClick={() => setOpen(true)}>
        <KeyIcon />
      </Button>
      <Dialog open={open} onClose={close} aria-labelledby={titleId} maxWidth="sm" fullWidth>
        <DialogTitle id={titleId}>{credential ? `New ${what}` : `${verb} the ${what} of ${String(record['name'])}?`}</DialogTitle>
        <DialogContent>
          {credential ? (
            <Stack spacing={2} sx={{ pt: 1 }}>
              <OneTimeSecret label={what.charAt(0).toUpperCase() + what.slice(1)} value={credential} what={what} />
            </Stack>
          ) : (
            <DialogContentText>{replacingOne ? replacing : explanation}</DialogContentText>
          )}
          {error && <Alert severity="error">{error}</Alert>}
        </DialogContent>
        <DialogActions>
          {credential ? (
            <MuiButton onClick={close}>I have stored it</MuiButton>
          ) : (
            <>
              <MuiButton onClick={close}>Cancel</MuiButton>
              <MuiButton variant="contained" color={replacingOne ? 'error' : 'primary'} disabled={busy} onClick={() => void issue()}>
                {verb} {what.split(' ').pop()}
              </MuiButton>
            </>
          )}
        </DialogActions>
      </Dialog>
    </>
  );
}
