/**
 * @overview Rotation on the connection page: an alert while the last rotation has failed, and "Rotate
 * now", which asks `POST /api/connections/:id/rotate` for a job and then polls
 * `GET /api/connections/:id/rotation` once a second, drawing its step and progress until the job is
 * done or has failed. A server without these endpoints answers 404; the panel then says so and stays
 * usable.
 */
import { Alert, Box, Button, Chip, LinearProgress, Stack, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import { HttpError, useRecordContext, useRefresh, useTranslate } from 'react-admin';

import { httpClient } from '../http.ts';
import { vaultedPatterns } from './patterns.tsx';

interface RotationProgress {
  status: 'idle' | 'rotating' | 'failed';
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

export function RotationPanel() {
  const record = useRecordContext();
  const translate = useTranslate();
  const refresh = useRefresh();
  const [progress, setProgress] = useState<RotationProgress | null>(null);
  const [polling, setPolling] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const id = typeof record?.id === 'string' ? record.id : null;

  useEffect(() => {
    if (!polling || !id) {
      return undefined;
    }
    let stopped = false;
    const poll = async () => {
      try {
        const { json } = await httpClient(`/api/connections/${id}/rotation`);
        if (stopped) {
          return;
        }
        const answer = json as RotationProgress;
        setProgress(answer);
        if (answer.status !== 'rotating') {
          setPolling(false);
          refresh();
        }
      } catch (caught) {
        if (!stopped) {
          setProblem(messageOf(caught));
          setPolling(false);
        }
      }
    };
    void poll();
    const timer = setInterval(() => void poll(), pollMilliseconds);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [polling, id, refresh]);

  if (!record || !id || !vaultedPatterns.includes(record['pattern'] as never)) {
    return null;
  }

  const rotate = async () => {
    setProblem(null);
    setProgress({ status: 'rotating', step: 'queued', progress: 0, error: null });
    try {
      await httpClient(`/api/connections/${id}/rotate`, { method: 'POST', body: '{}' });
      setPolling(true);
    } catch (caught) {
      setProgress(null);
      setProblem(messageOf(caught));
    }
  };

  const running = polling || progress?.status === 'rotating';
  return (
    <Box sx={{ width: '100%', maxWidth: 640 }}>
      <Button variant="outlined" disabled={running} onClick={() => void rotate()}>
        {translate('crossgate.connections.rotation.now')}
      </Button>
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
