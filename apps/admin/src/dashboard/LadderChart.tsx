/**
 * The migration ladder as a bar chart, in plain CSS: one bar per pattern, weakest rung at the bottom
 * and XAA at the top, so "move up" reads as moving up the chart. Each bar is labelled for assistive
 * technology with its pattern, count and active count.
 */
import { Box, Stack, Typography } from '@mui/material';
import type { ConnectionPattern } from '@crossgate/domain';
import { useTranslate } from 'react-admin';

import { PatternChip, patterns } from '../connections/patterns.tsx';

export interface LadderRung {
  pattern: ConnectionPattern;
  count: number;
  active: number;
}

const barColours: Record<ConnectionPattern, string> = {
  xaa: 'success.main',
  sts: 'info.main',
  vaulted_key: 'warning.main',
  service_account: 'error.main',
};

export function LadderChart({ rungs }: { rungs: readonly LadderRung[] }) {
  const translate = useTranslate();
  const largest = Math.max(1, ...rungs.map((rung) => rung.count));
  // The API lists the weakest first; the chart puts the target on top.
  const topDown = [...rungs].reverse();
  return (
    <Stack component="ol" role="list" sx={{ listStyle: 'none', p: 0, m: 0, gap: 1.5 }}>
      {topDown.map((rung) => {
        const label = `${patterns[rung.pattern].label}: ${rung.count} (${rung.active} ${translate('crossgate.dashboard.ladder.active')})`;
        return (
          <Box component="li" key={rung.pattern} aria-label={label} sx={{ display: 'grid', gridTemplateColumns: '260px 1fr 110px', gap: 2, alignItems: 'center' }}>
            <Box>
              <PatternChip pattern={rung.pattern} />
            </Box>
            <Box sx={{ position: 'relative', height: 22, bgcolor: 'action.hover', borderRadius: 1, overflow: 'hidden' }}>
              <Box sx={{ position: 'absolute', inset: 0, width: `${(rung.count / largest) * 100}%`, bgcolor: barColours[rung.pattern], opacity: 0.35 }} />
              <Box sx={{ position: 'absolute', inset: 0, width: `${(rung.active / largest) * 100}%`, bgcolor: barColours[rung.pattern] }} />
            </Box>
            <Typography variant="body2" sx={{ fontVariantNumeric: 'tabular-nums' }}>
              <strong>{rung.count}</strong> · {rung.active} {translate('crossgate.dashboard.ladder.active')}
            </Typography>
          </Box>
        );
      })}
    </Stack>
  );
}
