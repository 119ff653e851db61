/**
 * The credential's versions from `GET /api/connections/:id/versions`: number, state, the KEK that
 * wraps it and its dates. Metadata only: the API never sends a value, and this table has no column
 * for one. No versions yet, or a server without the endpoint (404), shows "No versions".
 */
import { Table, TableBody, TableCell, TableHead, TableRow, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import { HttpError, useRecordContext, useTranslate } from 'react-admin';

import { StatusChip } from '../common/StatusField.tsx';
import { httpClient } from '../http.ts';
import { vaultedPatterns } from './patterns.tsx';

interface VersionRow {
  version: number;
  state: string;
  kekId: string;
  createdAt: string | null;
  activatedAt: string | null;
  expiresAt: string | null;
  retireAt: string | null;
  retiredAt: string | null;
}

const dateColumns = ['createdAt', 'activatedAt', 'expiresAt', 'retireAt', 'retiredAt'] as const;

function when(value: string | null): string {
  return value ? new Date(value).toLocaleString() : '—';
}

export function VersionsPanel() {
  const record = useRecordContext();
  const translate = useTranslate();
  const [rows, setRows] = useState<VersionRow[] | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const id = typeof record?.id === 'string' ? record.id : null;
  // A rotation changes the record (lastRotatedAt) and the versions with it.
  const changed = record?.['updatedAt'] as string | undefined;

  useEffect(() => {
    if (!id) {
      return undefined;
    }
    let stale = false;
    httpClient(`/api/connections/${id}/versions`).then(
      ({ json }) => !stale && setRows(json as VersionRow[]),
      (caught: unknown) => {
        if (stale) {
          return;
        }
        setRows([]);
        setProblem(caught instanceof HttpError && caught.status === 404 ? null : caught instanceof Error ? caught.message : String(caught));
      },
    );
    return () => {
      stale = true;
    };
  }, [id, changed]);

  if (!record || !vaultedPatterns.includes(record['pattern'] as never)) {
    return null;
  }
  if (problem) {
    return <Typography variant="body2" color="error">{problem}</Typography>;
  }
  if (!rows || rows.length === 0) {
    return <Typography variant="body2">{translate('crossgate.connections.versions.none')}</Typography>;
  }
  return (
    <Table size="small" aria-label={translate('crossgate.connections.versions.title')}>
      <TableHead>
        <TableRow>
          <TableCell>{translate('crossgate.connections.versions.version')}</TableCell>
          <TableCell>{translate('crossgate.connections.versions.state')}</TableCell>
          <TableCell>{translate('crossgate.connections.versions.kekId')}</TableCell>
          {dateColumns.map((column) => (
            <TableCell key={column}>{translate(`crossgate.connections.versions.${column}`)}</TableCell>
          ))}
        </TableRow>
      </TableHead>
      <TableBody>
        {rows.map((row) => (
          <TableRow key={row.version}>
            <TableCell>{row.version}</TableCell>
            <TableCell>
              <StatusChip value={row.state} />
            </TableCell>
            <TableCell sx={{ fontFamily: 'monospace' }}>{row.kekId}</TableCell>
            {dateColumns.map((column) => (
              <TableCell key={column}>{when(row[column])}</TableCell>
            ))}
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
