/**
 * The kill switches at a glance: how many are in force and how many wait for a second admin, each a
 * link to the list filtered so, and the way to fire one for the roles that may.
 */
import FireIcon from '@mui/icons-material/PowerSettingsNew';
import { Button, Card, CardActions, CardContent, CardHeader, Link as MuiLink, Stack, Typography } from '@mui/material';
import type { KillSwitchState } from '@crossgate/domain';
import { Link, useCanAccess, useCreatePath, useGetList, useTranslate } from 'react-admin';


const counted: readonly KillSwitchState[] = ['active', 'pending_approval'];

function Count({ state }: { state: KillSwitchState }) {
  const translate = useTranslate();
  const createPath = useCreatePath();
  // One row is enough: the total comes from Content-Range.
  const { total, error } = useGetList('kill-switches', { filter: { state }, pagination: { page: 1, perPage: 1 }, sort: { field: 'requestedAt', order: 'DESC' } });
  const label = translate(`crossgate.dashboard.killSwitches.${state}`);
  const shown = error ? '?' : String(total ?? '…');
  const to = `${createPath({ resource: 'kill-switches', type: 'list' })}?${new URLSearchParams({ filter: JSON.stringify({ state }) }).toString()}`;
  return (
    // Label first in the text and number drawn on top, so the name ("In force: 2") holds the visible text ("In force 2").
    <MuiLink component={Link} to={to} underline="hover" aria-label={`${label}: ${shown}`} sx={{ display: 'flex', flexDirection: 'column-reverse', minWidth: 160 }}>
      <Typography variant="body2" component="span">
        {label}
      </Typography>{' '}
      <Typography variant="h4" component="span" sx={{ display: 'block', fontVariantNumeric: 'tabular-nums' }} color={state === 'active' && (total ?? 0) > 0 ? 'error' : 'textPrimary'}>
        {shown}
      </Typography>
    </MuiLink>
  );
}

export function KillSwitchCard() {
  const translate = useTranslate();
  const createPath = useCreatePath();
  const { canAccess: canFire } = useCanAccess({ resource: 'kill-switches', action: 'create' });
  return (
    <Card sx={{ mt: 2 }} component="section" aria-labelledby="kill-switch-card-title">
      <CardHeader title={translate('crossgate.dashboard.killSwitches.title')} slotProps={{ title: { id: 'kill-switch-card-title', component: 'h2', variant: 'h6' } }} />
      <CardContent>
        <Stack direction="row" sx={{ gap: 4 }}>
          {counted.map((state) => (
            <Count key={state} state={state} />
          ))}
        </Stack>
      </CardContent>
      <CardActions>
        {canFire && (
          <Button component={Link} to={createPath({ resource: 'kill-switches', type: 'create' })} color="error" variant="contained" startIcon={<FireIcon />}>
            {translate('crossgate.killSwitches.create.title')}
          </Button>
        )}
        <Button component={Link} to={createPath({ resource: 'kill-switches', type: 'list' })}>
          {translate('crossgate.dashboard.killSwitches.all')}
        </Button>
      </CardActions>
    </Card>
  );
}
