/**
 * Revokes an active consent (`POST /api/sts-consents/:id/revoke`) after a confirmation, then says
 * what the provider did: the consent ends here whatever the provider answers, so the dialog tells
 * the admin whether the refresh token is also dead at the provider.
 */
import RevokeIcon from '@mui/icons-material/Block';
import { Alert, Button, Dialog, DialogActions, DialogContent, DialogContentText, DialogTitle } from '@mui/material';
import { type MouseEvent, useState } from 'react';
import { HttpError, useCanAccess, useRecordContext, useRefresh, useTranslate } from 'react-admin';

import { httpClient } from '../http.ts';
import { isUpstreamRevocation, UpstreamAlert, type UpstreamRevocation } from './upstream.tsx';

type Phase = { name: 'closed' } | { name: 'confirm' } | { name: 'revoking' } | { name: 'done'; outcome: UpstreamRevocation } | { name: 'failed'; message: string };

// Inside a list row the click would otherwise also open the record (React bubbles through portals).
function stop(event: MouseEvent) {
  event.stopPropagation();
}

export function RevokeConsentButton() {
  const record = useRecordContext();
  const translate = useTranslate();
  const refresh = useRefresh();
  const { canAccess } = useCanAccess({ resource: 'sts-consents', action: 'edit' });
  const [phase, setPhase] = useState<Phase>({ name: 'closed' });

  if (!record || (record['status'] !== 'active' && phase.name === 'closed') || !canAccess) {
    return null;
  }

  const revoke = async () => {
    setPhase({ name: 'revoking' });
    try {
      const { json } = await httpClient(`/api/sts-consents/${String(record.id)}/revoke`, { method: 'POST' });
      const outcome: unknown = (json as { upstreamRevocation?: unknown }).upstreamRevocation;
      setPhase(isUpstreamRevocation(outcome) ? { name: 'done', outcome } : { name: 'failed', message: `Unexpected answer: ${JSON.stringify(json)}` });
    } catch (caught) {
      setPhase({ name: 'failed', message: caught instanceof HttpError || caught instanceof Error ? caught.message : String(caught) });
    }
  };

  const close = () => {
    const ended = phase.name === 'done' || phase.name === 'failed';
    setPhase({ name: 'closed' });
    if (ended) {
      refresh();
    }
  };

  return (
    <>
      <Button
        size="small"
        color="error"
        startIcon={<RevokeIcon />}
        onClick={(event) => {
          stop(event);
          setPhase({ name: 'confirm' });
        }}
      >
        {translate('crossgate.stsConsents.revoke.button')}
      </Button>
      <Dialog open={phase.name !== 'closed'} onClose={phase.name === 'revoking' ? undefined : close} onClick={stop} aria-labelledby="revoke-consent-title">
        <DialogTitle id="revoke-consent-title">{translate('crossgate.stsConsents.revoke.title')}</DialogTitle>
        <DialogContent>
          {(phase.name === 'confirm' || phase.name === 'revoking') && <DialogContentText>{translate('crossgate.stsConsents.revoke.confirm')}</DialogContentText>}
          {phase.name === 'done' && <UpstreamAlert outcome={phase.outcome} />}
          {phase.name === 'failed' && <Alert severity="error">{phase.message}</Alert>}
        </DialogContent>
        <DialogActions>
          {phase.name === 'confirm' || phase.name === 'revoking' ? (
            <>
              <Button onClick={close} disabled={phase.name === 'revoking'}>
                {translate('ra.action.cancel')}
              </Button>
              <Button color="error" variant="contained" onClick={() => void revoke()} disabled={phase.name === 'revoking'}>
                {translate('crossgate.stsConsents.revoke.button')}
              </Button>
            </>
          ) : (
            <Button onClick={close}>{translate('ra.action.close')}</Button>
          )}
        </DialogActions>
      </Dialog>
    </>
  );
}
