/**
 * The audit list's toolbar: verify the hash chain, and download what the current filters match.
 * Both are their own API routes, outside the ra-data-simple-rest dialect.
 */
import DownloadIcon from '@mui/icons-material/Download';
import VerifiedIcon from '@mui/icons-material/VerifiedUser';
import { Alert, Box, Dialog, DialogActions, DialogContent, DialogTitle, Link as MuiLink } from '@mui/material';
import { useState } from 'react';
import {
  Button,
  FilterButton,
  Link,
  TopToolbar,
  useCanAccess,
  useCreatePath,
  useListContext,
  useNotify,
} from 'react-admin';

import { httpClient } from '../http.ts';
import type { ChainCheck } from './types.ts';

function ChainCheckResult({ check }: { check: ChainCheck }) {
  const createPath = useCreatePath();
  if (check.intact) {
    return (
      <Alert severity="success">
        Intact: {check.checked} events checked
        {check.lastSeq ? `, up to #${check.lastSeq}` : ''}. Head hash{' '}
        <Box component="code" sx={{ wordBreak: 'break-all' }}>
          {check.headHash}
        </Box>
      </Alert>
    );
  }
  return (
    <Alert severity="error">
      Broken at event{' '}
      <MuiLink component={Link} to={createPath({ resource: 'audit', id: check.firstBrokenSeq, type: 'show' })}>
        #{check.firstBrokenSeq}
      </MuiLink>
      : {check.problem}. {check.checked} events before it are intact.
    </Alert>
  );
}

function VerifyChainButton() {
  const notify = useNotify();
  const [pending, setPending] = useState(false);
  const [check, setCheck] = useState<ChainCheck>();
  const verify = async () => {
    setPending(true);
    try {
      const { json } = await httpClient('/api/audit/verify');
      setCheck(json as ChainCheck);
    } catch (error) {
      notify(error instanceof Error ? error.message : 'Could not verify the audit chain', { type: 'error' });
    } finally {
      setPending(false);
    }
  };
  return (
    <>
      <Button label={pending ? 'Verifying…' : 'Verify chain'} onClick={() => void verify()} disabled={pending}>
        <VerifiedIcon />
      </Button>
      <Dialog open={check !== undefined} onClose={() => setCheck(undefined)} maxWidth="sm" fullWidth>
        <DialogTitle>Audit hash chain</DialogTitle>
        <DialogContent>{check && <ChainCheckResult check={check} />}</DialogContent>
        <DialogActions>
          <Button label="Close" onClick={() => setCheck(undefined)} />
        </DialogActions>
      </Dialog>
    </>
  );
}

function ExportButton({ format, label }: { format: 'csv' | 'jsonl'; label: string }) {
  const { filterValues } = useListContext();
  const query = new URLSearchParams({ format, filter: JSON.stringify(filterValues) });
  // A plain link: the API answers with an attachment, which the browser downloads with the session cookie.
  return (
    <Button label={label} href={`/api/audit/export?${query.toString()}`}>
      <DownloadIcon />
    </Button>
  );
}

export function AuditActions() {
  const { canAccess: canVerify } = useCanAccess({ resource: 'audit', action: 'verify' });
  const { canAccess: canExport } = useCanAccess({ resource: 'audit', action: 'export' });
  return (
    <TopToolbar>
      <FilterButton />
      {canVerify && <VerifyChainButton />}
      {canExport && <ExportButton format="csv" label="Export CSV" />}
      {canExport && <ExportButton format="jsonl" label="Export JSON lines" />}
    </TopToolbar>
  );
}
