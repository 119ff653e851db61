/**
 * @overview The revocation receipt on a switch's page: how far the fan-out has got (from the
 * switch's `progress`) and its lines from `GET /api/kill-switches/:id/deliveries`, one per
 * downstream system told. Both refresh every two seconds while anything is still moving (the show
 * page refetches the switch itself on that beat), and the lines again whenever the counts move.
 */
import { Alert, Box, LinearProgress, Table, TableBody, TableCell, TableHead, TablePagination, TableRow, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import { useGetList, useRecordContext, useTranslate } from 'react-admin';

import { StatusChip } from '../common/StatusField.tsx';
import { type Delivery, deliveryKindLabels, isSettling, type KillSwitch, pollMilliseconds } from './types.ts';

const perPage = 25;

/** Delivered lines over all lines, with what is still pending and what gave up. */
export function FanOutProgress() {
  const record = useRecordContext<KillSwitch>();
  const translate = useTranslate();
  if (!record || record.state === 'pending_approval' || record.state === 'rejected') {
    return null;
  }
  const { total, delivered, pending, failed, deadLettered, lastAckMs, done } = record.progress;
  const planned = record.fannedOutAt !== null;
  const value = total === 0 ? (planned ? 100 : 0) : Math.round((delivered / total) * 100);
  let caption: string;
  if (!planned) {
    caption = translate('crossgate.killSwitches.progress.planning');
  } else if (total === 0) {
    caption = translate('crossgate.killSwitches.progress.nothing');
  } else {
    caption = translate('crossgate.killSwitches.progress.summary', { delivered, total, pending: pending + failed, deadLettered });
    if (done && lastAckMs !== null) {
      caption += ` ${translate('crossgate.killSwitches.progress.lastAck', { ms: lastAckMs })}`;
    }
  }
  const label = translate('crossgate.killSwitches.progress.title');
  return (
    <Box sx={{ width: '100%', maxWidth: 640 }} role="status" aria-label={label}>
      <LinearProgress
        variant={planned ? 'determinate' : 'indeterminate'}
        value={value}
        color={deadLettered > 0 ? 'error' : done ? 'success' : 'primary'}
        aria-label={label}
        sx={{ height: 8, borderRadius: 1 }}
      />
      <Typography variant="caption" color="text.secondary">
        {caption}
      </Typography>
    </Box>
  );
}

function when(value: string | null): string {
  return value ? new Date(value).toLocaleString() : '—';
}

/** The receipt's lines: what was told, how, whether it acknowledged, and the last error if not. */
export function ReceiptTable() {
  const record = useRecordContext<KillSwitch>();
  const translate = useTranslate();
  const [page, setPage] = useState(0);
  const id = record?.id ?? '';
  const polling = record !== undefined && isSettling(record);
  const { data, total, error, refetch } = useGetList<Delivery>(
    `kill-switches/${id}/deliveries`,
    { pagination: { page: page + 1, perPage }, sort: { field: 'createdAt', order: 'ASC' }, filter: {} },
    { enabled: id !== '', refetchInterval: polling ? pollMilliseconds : false },
  );
  // The switch's counts moved (its own poll saw it first, or the last line settled and polling stops): catch up.
  const counts = record ? [record.progress.total, record.progress.delivered, record.progress.failed, record.progress.deadLettered].join('/') : '';
  useEffect(() => {
    if (id !== '') {
      void refetch();
    }
  }, [counts, id, refetch]);
  if (!record) {
    return null;
  }
  if (error) {
    return <Alert severity="warning">{error instanceof Error ? error.message : String(error)}</Alert>;
  }
  if (!data || data.length === 0) {
    return <Typography variant="body2">{translate('crossgate.killSwitches.receipt.none')}</Typography>;
  }
  const columns = ['target', 'kind', 'subject', 'status', 'attempts', 'lastError', 'deliveredAt'] as const;
  return (
    <Box sx={{ width: '100%', overflowX: 'auto' }}>
      <Table size="small" aria-label={translate('crossgate.killSwitches.receipt.title')}>
        <TableHead>
          <TableRow>
            {columns.map((column) => (
              <TableCell key={column}>{translate(`crossgate.killSwitches.receipt.${column}`)}</TableCell>
            ))}
          </TableRow>
        </TableHead>
        <TableBody>
          {data.map((line) => (
            <TableRow key={line.id}>
              <TableCell sx={{ wordBreak: 'break-all' }}>{line.targetLabel}</TableCell>
              <TableCell>{deliveryKindLabels[line.kind]}</TableCell>
              <TableCell sx={{ fontFamily: 'monospace', fontSize: 12, wordBreak: 'break-all' }}>{line.subjectKey}</TableCell>
              <TableCell>
                <StatusChip value={line.status} />
              </TableCell>
              <TableCell sx={{ fontVariantNumeric: 'tabular-nums' }}>{line.attempts}</TableCell>
              <TableCell sx={{ color: line.lastError ? 'error.main' : undefined, wordBreak: 'break-word' }}>{line.lastError ?? '—'}</TableCell>
              <TableCell>
                {when(line.deliveredAt)}
                {line.msToAck !== null && ` (${translate('crossgate.killSwitches.receipt.msToAck', { ms: line.msToAck })})`}
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {(total ?? 0) > perPage && (
        <TablePagination component="div" count={total ?? 0} page={page} rowsPerPage={perPage} rowsPerPageOptions={[perPage]} onPageChange={(_event, next) => setPage(next)} />
      )}
    </Box>
  );
}
