/**
 * Policy conditions: an optional time window, required acr and amr values, and a cap on the ID-JAG
 * lifetime. The API validates them; the UI only makes them easy to fill in and to read.
 */
import { weekdays } from '@crossgate/domain';
import { List, ListItem, Stack, Typography } from '@mui/material';
import {
  CheckboxGroupInput,
  maxValue,
  minValue,
  NumberInput,
  TextArrayInput,
  TextInput,
  useRecordContext,
} from 'react-admin';

// The API's weekday names (policies.resource.ts), Monday first.
const weekdayChoices = weekdays.map((day) => ({ id: day, name: day.charAt(0).toUpperCase() + day.slice(1) }));

interface TimeWindow {
  days?: string[];
  start?: string | null;
  end?: string | null;
  timeZone?: string | null;
}

export interface PolicyConditions {
  timeWindow?: TimeWindow;
  requiredAcr?: string[];
  requiredAmr?: string[];
  maxLifetimeSeconds?: number | null;
}

function isEmpty(value: unknown): boolean {
  return value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);
}

/**
 * Drops the parts of the conditions left empty: a part that is present is a rule the API enforces,
 * so an untouched time window must not be sent as a half-filled one.
 */
export function withoutEmptyConditions<T extends { conditions?: PolicyConditions }>(policy: T): T {
  const { timeWindow, ...rest } = policy.conditions ?? {};
  const parts: Record<string, unknown> = { ...rest };
  if (timeWindow && !Object.values(timeWindow).every(isEmpty)) {
    parts['timeWindow'] = timeWindow;
  }
  return { ...policy, conditions: Object.fromEntries(Object.entries(parts).filter(([, value]) => !isEmpty(value))) };
}

export function ConditionsInputs() {
  return (
    <>
      <Typography variant="subtitle1" sx={{ mt: 2 }}>
        Conditions
      </Typography>
      <Typography variant="body2" color="text.secondary">
        Leave a part empty for no restriction.
      </Typography>
      <CheckboxGroupInput source="conditions.timeWindow.days" choices={weekdayChoices} />
      <Stack direction="row" sx={{ gap: 2, flexWrap: 'wrap' }}>
        <TextInput source="conditions.timeWindow.start" placeholder="09:00" fullWidth={false} />
        <TextInput source="conditions.timeWindow.end" placeholder="18:00" fullWidth={false} />
        <TextInput source="conditions.timeWindow.timeZone" placeholder="Europe/Zurich" fullWidth={false} />
      </Stack>
      <TextArrayInput source="conditions.requiredAcr" helperText="The ID token's acr must be one of these" />
      <TextArrayInput source="conditions.requiredAmr" helperText="Every one of these must be in the ID token's amr, e.g. mfa" />
      <NumberInput
        source="conditions.maxLifetimeSeconds"
        fullWidth={false}
        min={30}
        max={300}
        validate={[minValue(30), maxValue(300)]}
        helperText="30 to 300; ID-JAGs never live longer than 300 seconds"
      />
    </>
  );
}

function describe(conditions: PolicyConditions): string[] {
  const lines: string[] = [];
  const window = conditions.timeWindow;
  if (window) {
    lines.push(`Only on ${window.days?.join(', ')}, ${window.start}–${window.end} (${window.timeZone})`);
  }
  if (conditions.requiredAcr?.length) {
    lines.push(`acr one of: ${conditions.requiredAcr.join(', ')}`);
  }
  if (conditions.requiredAmr?.length) {
    lines.push(`amr includes: ${conditions.requiredAmr.join(', ')}`);
  }
  if (conditions.maxLifetimeSeconds) {
    lines.push(`ID-JAG lifetime at most ${conditions.maxLifetimeSeconds} s`);
  }
  return lines;
}

export function ConditionsField(_props: { label?: string }) {
  const conditions = useRecordContext()?.['conditions'] as PolicyConditions | undefined;
  const lines = describe(conditions ?? {});
  if (lines.length === 0) {
    return <Typography variant="body2">None: any time, any authentication strength</Typography>;
  }
  return (
    <List dense disablePadding>
      {lines.map((line) => (
        <ListItem key={line} disableGutters>
          <Typography variant="body2">{line}</Typography>
        </ListItem>
      ))}
    </List>
  );
}
