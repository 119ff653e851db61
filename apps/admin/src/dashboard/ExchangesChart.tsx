/**
 * Token exchanges per day, allowed and refused, as a line chart (MUI X Charts), with the same numbers
 * in a table for assistive technology (the chart's own keyboard navigation reads one point at a time).
 */
import { Box, Card, CardContent, CardHeader, Table, TableBody, TableCell, TableHead, TableRow } from '@mui/material';
import { LineChart } from '@mui/x-charts/LineChart';

import { visuallyHidden } from '../common/visuallyHidden.ts';
import type { ExchangeDay } from './summary.ts';

const dayLabel = (day: string) => new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' }).format(new Date(`${day}T00:00:00Z`));

export function ExchangesChart({ days }: { days: readonly ExchangeDay[] }) {
  const labels = days.map((entry) => dayLabel(entry.day));
  return (
    <Card component="section" aria-labelledby="exchanges-title">
      <CardHeader
        title="Token exchanges and denials per day"
        subheader="Exchanges the token endpoint answered and refused, by UTC day"
        slotProps={{ title: { id: 'exchanges-title', component: 'h2', variant: 'h6' } }}
      />
      <CardContent>
        <Box>
          <LineChart
            height={260}
            xAxis={[{ scaleType: 'point', data: labels }]}
            series={[
              { data: days.map((entry) => entry.allowed), label: 'Allowed', color: '#2e7d32' },
              { data: days.map((entry) => entry.denied), label: 'Denied', color: '#c62828' },
            ]}
          />
        </Box>
        <Table size="small" sx={visuallyHidden} aria-label="Token exchanges per day">
          <TableHead>
            <TableRow>
              <TableCell>Day</TableCell>
              <TableCell>Allowed</TableCell>
              <TableCell>Denied</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {days.map((entry, index) => (
              <TableRow key={entry.day}>
                <TableCell>{labels[index]}</TableCell>
                <TableCell>{entry.allowed}</TableCell>
                <TableCell>{entry.denied}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </CardContent>
    </Card>
  );
}
