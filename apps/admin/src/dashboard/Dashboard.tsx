/**
 * The home page, to act on: a banner while secrets are sealed with the public development key, the
 * kill switches in force or waiting, approvals, failed rotations, service accounts at their sunset,
 * unused connections, the audit chain's last check, token exchanges and denials per day (all from
 * `GET /api/dashboard`), and the migration ladder of managed connections from
 * `GET /api/connections-ladder` (service account → vaulted key → STS → XAA).
 */
import { Alert, AlertTitle, Box, Card, CardContent, CardHeader, Grid, Typography } from '@mui/material';
import { Title, useTranslate } from 'react-admin';

import { useApi } from '../common/useApi.ts';
import { ApprovalsCard, AuditChainCard, FailedRotationsCard, SunsetCard, UnusedCard } from './AttentionCards.tsx';
import { ExchangesChart } from './ExchangesChart.tsx';
import { KillSwitchCard } from './KillSwitchCard.tsx';
import { LadderChart, type LadderRung } from './LadderChart.tsx';
import type { DashboardSummary } from './summary.ts';

interface Ladder {
  patterns: LadderRung[];
  total: number;
}

function ConnectionLadderCard() {
  const translate = useTranslate();
  const { data: ladder, failed } = useApi<Ladder>('/api/connections-ladder');
  return (
    <Card>
      <CardHeader title={translate('crossgate.dashboard.ladder.title')} subheader={translate('crossgate.dashboard.ladder.subtitle')} />
      <CardContent>
        {failed && <Alert severity="warning">{translate('crossgate.dashboard.ladder.error')}</Alert>}
        {ladder && (
          <>
            <LadderChart rungs={ladder.patterns} />
            <Typography variant="body2" sx={{ mt: 2 }} aria-label="Connections in total">
              {translate('crossgate.dashboard.ladder.total')}: <strong>{ladder.total}</strong>
            </Typography>
          </>
        )}
      </CardContent>
    </Card>
  );
}

/** Everything sealed with the development KEK can be opened by anyone who has the source code. */
function DevelopmentKekBanner() {
  return (
    <Alert severity="error" variant="filled" role="alert" sx={{ mt: 2 }}>
      <AlertTitle>The development key-encryption key is in use</AlertTitle>
      Vaulted credentials and signing keys are sealed with a key published in Crossgate&apos;s source code, so anyone with a copy of the database can open
      them. Set KEY_ENCRYPTION_KEY (32 random bytes, base64url) before storing real secrets.
    </Alert>
  );
}

export function Dashboard() {
  const translate = useTranslate();
  const { data: summary, failed } = useApi<DashboardSummary>('/api/dashboard');
  return (
    <Box sx={{ pb: 4 }}>
      <Title title={translate('crossgate.dashboard.title')} />
      {summary?.developmentKek && <DevelopmentKekBanner />}
      {failed && (
        <Alert severity="warning" sx={{ mt: 2 }}>
          The summary could not be loaded.
        </Alert>
      )}
      <KillSwitchCard />
      {summary && (
        <Grid container spacing={2} sx={{ mt: 0.5 }}>
          <Grid size={{ xs: 12, md: 6, lg: 4 }}>
            <ApprovalsCard summary={summary} />
          </Grid>
          <Grid size={{ xs: 12, md: 6, lg: 4 }}>
            <FailedRotationsCard summary={summary} />
          </Grid>
          <Grid size={{ xs: 12, md: 6, lg: 4 }}>
            <AuditChainCard summary={summary} />
          </Grid>
          <Grid size={{ xs: 12, md: 6 }}>
            <SunsetCard summary={summary} />
          </Grid>
          <Grid size={{ xs: 12, md: 6 }}>
            <UnusedCard summary={summary} />
          </Grid>
          <Grid size={12}>
            <ExchangesChart days={summary.exchanges} />
          </Grid>
        </Grid>
      )}
      <Box sx={{ mt: 2 }}>
        <ConnectionLadderCard />
      </Box>
    </Box>
  );
}
