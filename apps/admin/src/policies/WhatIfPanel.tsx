/**
 * "What if?" on a policy: decide a request for this policy's app pair, as the token endpoint would,
 * with this policy as if published (so a draft shows who would gain or lose access before it goes live).
 */
import { Alert, Box, Button, Card, CardContent, List, ListItem, ListItemText, Stack, TextField, Typography } from '@mui/material';
import { useState } from 'react';
import { HttpError, useRecordContext } from 'react-admin';

import { httpClient } from '../http.ts';

interface TraceStep {
  check: string;
  passed: boolean;
  outcome: string;
  policyId?: string;
}

interface ImpactEntry {
  user: { id: string; email: string | null; displayName: string | null };
  before: string[];
  after: string[];
}

interface Simulation {
  decision: { allowed: boolean; code: string; grantedScopes: string[]; narrowed: boolean };
  trace: TraceStep[];
  current?: { code: string; grantedScopes: string[] };
  impact?: { gained: ImpactEntry[]; lost: ImpactEntry[]; changed: ImpactEntry[]; totals: Record<string, number>; truncated: boolean };
}

const words = (value: string) => value.split(/[\s,]+/).filter(Boolean);

function ImpactList({ title, entries, total }: { title: string; entries: ImpactEntry[]; total: number }) {
  return (
    <Box>
      <Typography variant="subtitle2">
        {title}: {total}
      </Typography>
      <List dense>
        {entries.map((entry) => (
          <ListItem key={entry.user.id}>
            <ListItemText
              primary={entry.user.displayName ?? entry.user.email ?? entry.user.id}
              secondary={`${entry.before.join(' ') || '—'} → ${entry.after.join(' ') || '—'}`}
            />
          </ListItem>
        ))}
      </List>
    </Box>
  );
}

export function WhatIfPanel() {
  const record = useRecordContext();
  const [userId, setUserId] = useState('');
  const [groupIds, setGroupIds] = useState('');
  const [scopes, setScopes] = useState('');
  const [acr, setAcr] = useState('');
  const [result, setResult] = useState<Simulation | null>(null);
  const [error, setError] = useState<string | null>(null);
  if (!record) {
    return null;
  }

  const run = async () => {
    setError(null);
    const body = {
      clientId: record['clientId'],
      resourceId: record['resourceId'],
      ...(userId ? { userId } : { groupIds: words(groupIds) }),
      ...(scopes ? { scopes: words(scopes) } : {}),
      ...(acr ? { acr } : {}),
      draftPolicy: { id: record.id },
    };
    try {
      const { json } = await httpClient('/api/policies/simulate', { method: 'POST', body: JSON.stringify(body) });
      setResult(json as Simulation);
    } catch (caught) {
      setResult(null);
      setError(caught instanceof HttpError ? caught.message : String(caught));
    }
  };

  return (
    <Card variant="outlined" sx={{ mt: 2 }}>
      <CardContent>
        <Typography variant="h6">What if?</Typography>
        <Typography variant="body2" color="text.secondary">
          Decides a request for this app pair with this policy as if published. Leave the user empty to ask for a user in the given groups.
        </Typography>
        <Stack direction="row" sx={{ gap: 2, my: 2, flexWrap: 'wrap' }}>
          <TextField size="small" label="User id" value={userId} onChange={(event) => setUserId(event.target.value)} />
          <TextField size="small" label="Group ids" value={groupIds} onChange={(event) => setGroupIds(event.target.value)} disabled={userId !== ''} />
          <TextField size="small" label="Scopes" value={scopes} onChange={(event) => setScopes(event.target.value)} />
          <TextField size="small" label="acr" value={acr} onChange={(event) => setAcr(event.target.value)} />
          <Button variant="contained" onClick={() => void run()}>
            Simulate
          </Button>
        </Stack>
        {error && <Alert severity="error">{error}</Alert>}
        {result && (
          <Stack sx={{ gap: 1 }}>
            <Alert severity={result.decision.allowed ? 'success' : 'warning'}>
              {result.decision.code}
              {result.decision.grantedScopes.length > 0 && `: ${result.decision.grantedScopes.join(' ')}`}
              {result.decision.narrowed && ' (narrowed)'}
              {result.current && ` — today: ${result.current.code}`}
            </Alert>
            <List dense>
              {result.trace.map((step, index) => (
                <ListItem key={index}>
                  <ListItemText primary={`${step.passed ? '✓' : '✗'} ${step.check}`} secondary={step.outcome} />
                </ListItem>
              ))}
            </List>
            {result.impact && (
              <Stack direction="row" sx={{ gap: 4 }}>
                <ImpactList title="Would gain access" entries={result.impact.gained} total={result.impact.totals['gained'] ?? 0} />
                <ImpactList title="Would lose access" entries={result.impact.lost} total={result.impact.totals['lost'] ?? 0} />
                <ImpactList title="Scopes would change" entries={result.impact.changed} total={result.impact.totals['changed'] ?? 0} />
              </Stack>
            )}
          </Stack>
        )}
      </CardContent>
    </Card>
  );
}
