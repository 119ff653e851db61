/**
 * @overview Rotation on the connection page: an alert while the last rotation has failed, and "Rotate
 * now", which asks `POST /api/connections/:id/rotate` for a job and then polls
 * `GET /api/connections/:id/rotation` once a second, drawing its step and progress until that job is
 * done or has failed. Until the worker takes the job, the state is the previous rotation's (often
 * "idle, done"), so only a state carrying the job's own id counts. A server without these endpoints
 * answers 404; the panel then says so and stays usable.
 */
import { Alert, Box, Button, Chip, LinearProgress, Stack, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import { HttpError, useRecordContext, useRefresh, useTranslate } from 'react-admin';

import { httpClient } from '../http.ts';
import { vaultedPatterns } from './patterns.tsx';

interface RotationProgress {
  status: 'idle' | 'rotating' | 'failed';
  jobId: string | null;
  step: string | null;
  progress: number;
  error: string | null;
}

const pollMilliseconds = 1000;

function messageOf(caught: unknown): string {
  if (caught instanceof HttpError && caught.status === 404) {
    return 'Rotation is not available for this connection on this server';
  }
  return caught instanceof Error ? caught.message : String(caught);
}

/** A red badge while the last rotation failed, with the reason; nothing otherwise. */
export function RotationAlert({ status, error }: { status: unknown; error: unknown }) {
  const translate = useTranslate();
  if (status !== 'failed') {
    return null;
  }
  return (
    <Alert severity="error" icon={false}>
      <Stack direction="row" sx={{ gap: 1, alignItems: 'center' }}>
        <Chip size="small" color="error" label={translate('crossgate.connections.rotation.failed')} />
        <Typography variant="body2">{typeof error === 'string' ? error : ''}</Typography>
      </Stack>
    </Alert>
  );
}

/**
 * Why the worker could not rotate this connection's key now, or null when it could: it needs a
 * credential to replace, and a hook to push the new one to the target and a URL to verify it there.
 */
export function unrotatableReason(connection: Record<string, unknown>): string | null {
  const unset = (field: string) => connection[field] === null || connection[field] === undefined;
  if (unset('credentialSecretId')) {
    return 'Nothing to rotate yet: set the credential first.';
  }
  if (['rotationHookUrl', 'rotationVerifyUrl', 'rotationHookSecretId'].some(unset)) {
    return 'No rotation hook is set: edit the connection to add the rotation hook URL, the verify URL and the hook credential, so Crossgate can install the new key at the target.';
  }
  return null;
}

export function RotationPanel() {
  const record = useRecordContext();
  const translate = useTranslate();
  const refresh = useRefresh();
  const [progress, setProgress] = useState<RotationProgress | null>(null);
  /** The job "Rotate now" started, while it runs. */
  const [jobId, setJobId] = useState<string | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const id = typeof record?.id === 'string' ? record.id : null;

  useEffect(() => {
    if (!jobId || !id) {
      return undefined;
    }
    let stopped = false;
    const poll = async () => {
      try {
        const { json } = await httpClient(`/api/connections/${id}/rotation`);
        const answer = json as RotationProgress;
        // Another job's state (the previous rotation's) while ours waits in the queue: still "queued".
        if (stopped || answer.jobId !== jobId) {
          return;
        }
        setProgress(answer);
        if (answer.status !== 'rotating') {
          setJobId(null);
          refresh();
        }
      } catch (caught) {
        if (!stopped) {
          setProblem(messageOf(caught));
          setJobId(null);
        }
      }
    };
    void poll();
    const timer = setInterval(() => void poll(), pollMilliseconds);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [jobId, id, refresh]);

  if (!record || !id || !vaultedPatterns.includes(record['pattern'] as never)) {
    return null;
  }

  const rotate = async () => {
    setProblem(null);
    setProgress({ status: 'rotating', jobId: null, step: 'queued', progress: 0, error: null });
    try {
      const { json } = await httpClient(`/api/connections/${id}/rotate`, { method: 'POST', body: '{}' });
      setJobId((json as { jobId: string }).jobId);
    } catch (caught) {
      setProgress(null);
      setProblem(messageOf(caught));
    }
  };

  const running = jobId !== null || progress?.status === 'rotating';
  const blocked = unrotatableReason(record);
  return (
    <Box sx={{ width: '100%', maxWidth: 640 }}>
      <Stack direction="row" sx={{ gap: 2, alignItems: 'center' }}>
        <Button variant="outlined" disabled={running || blocked !== null} onClick={() => void rotate()} aria-describedby={blocked ? 'rotation-blocked' : undefined}>
          {translate('crossgate.connections.rotation.now')}
        </Button>
        {blocked && (
          <Typography id="rotation-blocked" variant="body2" color="text.secondary">
            {blocked}
          </Typography>
        )}
      </Stack>
      {progress && (
        <Box sx={{ mt: 1 }} role="status" aria-label="Rotation progress">
          <LinearProgress variant="determinate" value={progress.progress} color={progress.status === 'failed' ? 'error' : 'primary'} />
          <Typography variant="caption" color="text.secondary">
            {progress.status === 'rotating' ? `${progress.step ?? 'working'} (${progress.progress}%)` : progress.status === 'failed' ? `Failed: ${progress.error ?? progress.step ?? ''}` : 'Done'}
          </Typography>
        </Box>
      )}
      {problem && (
        <Alert severity="warning" sx={{ mt: 1 }}>
          {problem}
        </Alert>
      )}
    </Box>
  );
}
