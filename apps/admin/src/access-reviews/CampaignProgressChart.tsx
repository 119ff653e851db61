/**
 * A campaign's progress: items certified, revoked, narrowed and still undecided as a pie chart (MUI
 * X Charts, which assistive technology can walk slice by slice), with the same figures in words in a live region, so assistive technology hears them
 * change as reviewers decide. An active campaign asks again every few seconds; a page whose own
 * actions change the answer passes `version` to ask at once.
 */
import { Alert, Box, LinearProgress, Stack, Typography } from '@mui/material';
import { PieChart } from '@mui/x-charts/PieChart';
import { useEffect } from 'react';
import { useTranslate } from 'react-admin';

import { useApi } from '../common/useApi.ts';
import { type CampaignProgress, campaignsPath, type Decision, progressPollMilliseconds } from './types.ts';

const colours: Record<Decision | 'undecided', string> = { certify: '#2e7d32', revoke: '#c62828', narrow: '#ed6c02', undecided: '#9e9e9e' };

interface CampaignProgressChartProps {
  campaignId: string;
  /** Poll while the campaign can still move. */
  live: boolean;
  /** Bumped by the page after a decision: ask again at once. */
  version?: number;
  /** The chart's size: the queue shows a small one per campaign. */
  size?: number;
}

export function CampaignProgressChart({ campaignId, live, version = 0, size = 200 }: CampaignProgressChartProps) {
  const translate = useTranslate();
  const { data, failed, reload } = useApi<CampaignProgress>(`${campaignsPath}/${campaignId}/progress`, live ? progressPollMilliseconds : undefined);
  useEffect(() => {
    if (version > 0) {
      reload();
    }
  }, [version, reload]);
  if (failed && data === null) {
    return <Alert severity="warning">{translate('crossgate.accessReviews.progress.failed')}</Alert>;
  }
  if (data === null) {
    return <LinearProgress aria-label={translate('crossgate.accessReviews.progress.title')} />;
  }
  const slices = [
    { id: 'certify', value: data.byDecision.certify, label: translate('crossgate.accessReviews.decision.certify'), color: colours.certify },
    { id: 'revoke', value: data.byDecision.revoke, label: translate('crossgate.accessReviews.decision.revoke'), color: colours.revoke },
    { id: 'narrow', value: data.byDecision.narrow, label: translate('crossgate.accessReviews.decision.narrow'), color: colours.narrow },
    { id: 'undecided', value: data.undecided, label: translate('crossgate.accessReviews.decision.undecided'), color: colours.undecided },
  ];
  const percent = data.total === 0 ? 100 : Math.round((data.decided / data.total) * 100);
  return (
    <Stack direction={{ xs: 'column', md: 'row' }} sx={{ gap: 2, alignItems: { md: 'center' } }}>
      {data.total > 0 && (
        <Box sx={{ width: size, height: size, flexShrink: 0 }}>
          {/* The figures beside it are the legend. */}
          <PieChart height={size} width={size} hideLegend series={[{ data: slices.filter((slice) => slice.value > 0), innerRadius: size / 5, paddingAngle: 1 }]} />
        </Box>
      )}
      <Box role="status" aria-label={translate('crossgate.accessReviews.progress.title')} sx={{ minWidth: 240 }}>
        <Typography variant="body1">
          <strong>{translate('crossgate.accessReviews.progress.decided', { decided: data.decided, total: data.total })}</strong> ({percent}%)
        </Typography>
        <LinearProgress variant="determinate" value={percent} aria-label={translate('crossgate.accessReviews.progress.percent')} sx={{ my: 1 }} />
        <Typography variant="body2" component="ul" sx={{ listStyle: 'none', p: 0, m: 0 }}>
          {slices.map((slice) => (
            <li key={slice.id}>
              <Box component="span" aria-hidden sx={{ display: 'inline-block', width: 10, height: 10, bgcolor: slice.color, mr: 1, borderRadius: '2px' }} />
              {slice.label}: {slice.value}
            </li>
          ))}
        </Typography>
      </Box>
    </Stack>
  );
}
