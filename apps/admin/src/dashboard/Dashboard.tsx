/**
 * The home page: the kill switches in force or awaiting approval, then the estate of managed
 * connections by pattern, from `GET /api/connections-ladder`, drawn as the migration ladder
 * (service account → vaulted key → STS → XAA).
 */
import { Alert, Card, CardContent, CardHeader, Typography } from '@mui/material';
import { useEffect, useState } from 'react';
import { Title, useTranslate } from 'react-admin';

import { httpClient } from '../http.ts';
import { KillSwitchCard } from './KillSwitchCard.tsx';
import { LadderChart, type LadderRung } from './LadderChart.tsx';

interface Ladder {
  patterns: LadderRung[];
  total: number;
}

function ConnectionLadderCard() {
  const translate = useTranslate();
  const [ladder, setLadder] = useState<Ladder | null>(null);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    let stale = false;
    httpClient('/api/connections-ladder').then(
      ({ json }) => !stale && setLadder(json as Ladder),
      () => !stale && setFailed(true),
    );
    return () => {
      stale = true;
    };
  }, []);

  return (
    <Card sx={{ mt: 2, maxWidth: 960 }}>
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

export function Dashboard() {
  const translate = useTranslate();
  return (
    <>
      <Title title={translate('crossgate.dashboard.title')} />
      <KillSwitchCard />
      <ConnectionLadderCard />
    </>
  );
}
