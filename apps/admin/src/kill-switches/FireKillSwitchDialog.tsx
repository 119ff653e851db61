/**
 * @overview The one place a kill switch is fired from, whether from the "Fire kill switch" page or
 * from an entity's page: it asks `POST /api/kill-switches/preview` for the blast radius as it opens,
 * takes the reason and an optional expiry, and fires with `POST /api/kill-switches`, then opens the
 * switch's page. The reason field has the focus, so from an entity's page firing is the button, the
 * reason typed, and Fire (or Enter). A preview that fails does not hold the switch back: in an
 * incident, stopping access matters more than knowing its size first.
 */
import FireIcon from '@mui/icons-material/PowerSettingsNew';
import {
  Alert,
  Button,
  CircularProgress,
  Dialog,
  DialogActions,
  DialogContent,
  DialogTitle,
  FormControl,
  FormControlLabel,
  FormLabel,
  Radio,
  RadioGroup,
  Stack,
  Table,
  TableBody,
  TableCell,
  TableRow,
  TextField,
  Typography,
} from '@mui/material';
import { type FormEvent, useEffect, useState } from 'react';
import { useDataProvider, useNotify, useRedirect, useTranslate } from 'react-admin';

import { messageOf, minReasonLength } from '../common/ReasonDialog.tsx';
import { httpClient } from '../http.ts';
import { type BlastRadius, type KillSwitch, type KillSwitchTarget, scopeLabels } from './types.ts';

const expiryChoices = ['none', '1h', '8h', '24h', 'custom'] as const;
type ExpiryChoice = (typeof expiryChoices)[number];
const expiryHours: Partial<Record<ExpiryChoice, number>> = { '1h': 1, '8h': 8, '24h': 24 };

type Preview = { name: 'loading' } | { name: 'loaded'; radius: BlastRadius } | { name: 'failed'; message: string };

/** The expiry the API is sent: an ISO instant, null for "until lifted", or undefined while the custom one is unset. */
function expiresAtOf(choice: ExpiryChoice, custom: string): string | null | undefined {
  const hours = expiryHours[choice];
  if (hours !== undefined) {
    return new Date(Date.now() + hours * 3_600_000).toISOString();
  }
  if (choice === 'custom') {
    // The picker gives local time without a zone; the API would otherwise read it in the server's zone.
    return custom ? new Date(custom).toISOString() : undefined;
  }
  return null;
}

function BlastRadiusTable({ radius }: { radius: BlastRadius }) {
  const translate = useTranslate();
  const rows: [string, string][] = [
    ['tokens', translate('crossgate.killSwitches.radius.tokensValue', { total: radius.tokens.total, idJag: radius.tokens.idJag, accessToken: radius.tokens.accessToken })],
    ['users', String(radius.users)],
    ['agents', String(radius.agents)],
    ['connections', translate('crossgate.killSwitches.radius.connectionsValue', { total: radius.connections.total, vaulted: radius.connections.vaultedSecrets })],
    ['stsConsents', String(radius.stsConsents)],
    ['receivers', String(radius.receivers)],
    ['deliveries', String(radius.deliveries.total)],
  ];
  return (
    <Table size="small" aria-label={translate('crossgate.killSwitches.radius.title')}>
      <TableBody>
        {rows.map(([key, value]) => (
          <TableRow key={key}>
            <TableCell component="th" scope="row">
              {translate(`crossgate.killSwitches.radius.${key}`)}
            </TableCell>
            <TableCell align="right" sx={{ fontVariantNumeric: 'tabular-nums', fontWeight: 600 }}>
              {value}
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}

interface FireKillSwitchDialogProps {
  /** What to stop; the dialog is open while it is set. */
  target: KillSwitchTarget | null;
  onClose: () => void;
}

export function FireKillSwitchDialog({ target, onClose }: FireKillSwitchDialogProps) {
  const translate = useTranslate();
  const notify = useNotify();
  const redirect = useRedirect();
  const dataProvider = useDataProvider();
  const [firing, setFiring] = useState(false);
  const [preview, setPreview] = useState<Preview>({ name: 'loading' });
  const [reason, setReason] = useState('');
  const [expiry, setExpiry] = useState<ExpiryChoice>('none');
  const [customExpiry, setCustomExpiry] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const targetKey = target === null ? null : JSON.stringify(target);

  useEffect(() => {
    if (targetKey === null) {
      return undefined;
    }
    let stale = false;
    setPreview({ name: 'loading' });
    setReason('');
    setExpiry('none');
    setCustomExpiry('');
    setProblem(null);
    httpClient('/api/kill-switches/preview', { method: 'POST', body: targetKey }).then(
      ({ json }) => !stale && setPreview({ name: 'loaded', radius: json as BlastRadius }),
      (caught: unknown) => !stale && setPreview({ name: 'failed', message: messageOf(caught) }),
    );
    return () => {
      stale = true;
    };
  }, [targetKey]);

  const expiresAt = expiresAtOf(expiry, customExpiry);
  const requiresApproval = preview.name === 'loaded' && preview.radius.requiresApproval;
  const ready = target !== null && preview.name !== 'loading' && reason.trim().length >= minReasonLength && expiresAt !== undefined && !firing;

  const fire = async (event: FormEvent) => {
    event.preventDefault();
    if (!ready) {
      return;
    }
    setProblem(null);
    setFiring(true);
    try {
      const { data: fired } = await dataProvider.create<KillSwitch>('kill-switches', { data: { ...target, reason: reason.trim(), expiresAt } });
      notify(fired.state === 'pending_approval' ? 'crossgate.killSwitches.fire.requested' : 'crossgate.killSwitches.fire.fired', { type: fired.state === 'pending_approval' ? 'info' : 'success' });
      onClose();
      redirect('show', 'kill-switches', fired.id);
    } catch (caught) {
      setProblem(messageOf(caught));
    } finally {
      setFiring(false);
    }
  };

  const subject = target === null ? '' : `${scopeLabels[target.scope]}: ${preview.name === 'loaded' ? preview.radius.targetLabel : '…'}`;
  return (
    <Dialog open={target !== null} onClose={firing ? undefined : onClose} maxWidth="sm" fullWidth aria-labelledby="fire-kill-switch-title">
      <form onSubmit={(event) => void fire(event)} noValidate>
        <DialogTitle id="fire-kill-switch-title">{translate('crossgate.killSwitches.fire.title')}</DialogTitle>
        <DialogContent>
          <Stack sx={{ gap: 2 }}>
            <Typography variant="subtitle1" component="p" sx={{ fontWeight: 600 }}>
              {subject}
            </Typography>
            <TextField
              label={translate('crossgate.killSwitches.fire.reason')}
              value={reason}
              onChange={(event) => setReason(event.target.value)}
              helperText={translate('crossgate.killSwitches.fire.reasonHelp')}
              required
              autoFocus
              fullWidth
              slotProps={{ htmlInput: { maxLength: 2000 } }}
            />
            <FormControl>
              <FormLabel id="kill-switch-expiry-label">{translate('crossgate.killSwitches.fire.expiry')}</FormLabel>
              <RadioGroup row aria-labelledby="kill-switch-expiry-label" value={expiry} onChange={(event) => setExpiry(event.target.value as ExpiryChoice)}>
                {expiryChoices.map((choice) => (
                  <FormControlLabel key={choice} value={choice} control={<Radio />} label={translate(`crossgate.killSwitches.fire.expiryChoice.${choice}`)} />
                ))}
              </RadioGroup>
            </FormControl>
            {expiry === 'custom' && (
              <TextField
                type="datetime-local"
                label={translate('crossgate.killSwitches.fire.expiresAt')}
                value={customExpiry}
                onChange={(event) => setCustomExpiry(event.target.value)}
                required
                slotProps={{ inputLabel: { shrink: true } }}
              />
            )}
            <Typography variant="subtitle2" component="h3">
              {translate('crossgate.killSwitches.radius.title')}
            </Typography>
            {preview.name === 'loading' && (
              <Stack direction="row" sx={{ gap: 1, alignItems: 'center' }}>
                <CircularProgress size={16} aria-label={translate('crossgate.killSwitches.radius.loading')} />
                <Typography variant="body2">{translate('crossgate.killSwitches.radius.loading')}</Typography>
              </Stack>
            )}
            {preview.name === 'failed' && <Alert severity="warning">{translate('crossgate.killSwitches.radius.failed', { message: preview.message })}</Alert>}
            {preview.name === 'loaded' && <BlastRadiusTable radius={preview.radius} />}
            {requiresApproval && <Alert severity="info">{translate('crossgate.killSwitches.fire.twoPerson')}</Alert>}
            {problem && (
              <Alert severity="error" role="alert">
                {problem}
              </Alert>
            )}
          </Stack>
        </DialogContent>
        <DialogActions>
          <Button onClick={onClose} disabled={firing}>
            {translate('ra.action.cancel')}
          </Button>
          <Button type="submit" color="error" variant="contained" startIcon={<FireIcon />} disabled={!ready}>
            {translate(requiresApproval ? 'crossgate.killSwitches.fire.request' : 'crossgate.killSwitches.fire.submit')}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
