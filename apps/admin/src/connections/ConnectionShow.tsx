import { Alert, Stack } from '@mui/material';
import { EmailField, Labeled, NumberField, ReferenceField, TextField, UrlField, useRecordContext, useTranslate } from 'react-admin';

import { RelativeDateField } from '../common/RelativeDateField.tsx';
import { StatusField } from '../common/StatusField.tsx';
import { RecordShow } from '../common/views.tsx';
import { KillSwitchShowActions } from '../kill-switches/KillSwitchButton.tsx';
import { isPattern, PatternField, patterns, vaultedPatterns } from './patterns.tsx';
import { RotationAlert, RotationPanel } from './RotationPanel.tsx';
import { StsSection } from './StsSection.tsx';
import { VersionsPanel } from './VersionsPanel.tsx';

function PatternSummary() {
  const record = useRecordContext();
  const pattern: unknown = record?.['pattern'];
  if (!isPattern(pattern)) {
    return null;
  }
  return (
    <Stack sx={{ gap: 1 }}>
      <Alert severity={pattern === 'service_account' ? 'error' : pattern === 'vaulted_key' ? 'warning' : 'info'}>{patterns[pattern].summary}</Alert>
      <RotationAlert status={record?.['rotationStatus']} error={record?.['rotationError']} />
    </Stack>
  );
}

/** Only a pattern with a vaulted credential has an account, a rotation schedule and versions. */
function VaultedSection() {
  const record = useRecordContext();
  const translate = useTranslate();
  if (!record || !vaultedPatterns.includes(record['pattern'] as never)) {
    return null;
  }
  return (
    <Stack sx={{ gap: 1 }}>
      {record['pattern'] === 'service_account' && (
        <Labeled>
          <TextField source="accountName" emptyText="—" />
        </Labeled>
      )}
      {/* A column Stack stretches its children: keep the badge a badge, as the top-level fields show theirs. */}
      <Labeled sx={{ alignItems: 'flex-start' }}>
        <StatusField source="rotationStatus" />
      </Labeled>
      <Labeled>
        <RelativeDateField source="lastRotatedAt" emptyText="Never" />
      </Labeled>
      <Labeled>
        <RelativeDateField source="nextRotationAt" emptyText="Not scheduled" />
      </Labeled>
      {typeof record['rotationCron'] === 'string' ? (
        <Labeled>
          <TextField source="rotationCron" sx={{ fontFamily: 'monospace' }} />
        </Labeled>
      ) : (
        <Labeled>
          <NumberField source="rotationIntervalSeconds" emptyText="—" />
        </Labeled>
      )}
      <Labeled>
        <NumberField source="rotationOverlapSeconds" />
      </Labeled>
      <Labeled>
        <UrlField source="rotationHookUrl" emptyText="—" />
      </Labeled>
      <Labeled>
        <UrlField source="rotationVerifyUrl" emptyText="—" />
      </Labeled>
      <Labeled label={translate('crossgate.connections.rotation.title')}>
        <RotationPanel />
      </Labeled>
      <Labeled label={translate('crossgate.connections.versions.title')}>
        <VersionsPanel />
      </Labeled>
    </Stack>
  );
}

export function ConnectionShow() {
  return (
    <RecordShow actions={<KillSwitchShowActions scope="connection" />}>
      <PatternSummary />
      <TextField source="name" />
      <TextField source="description" emptyText="—" />
      <PatternField source="pattern" />
      <ReferenceField source="clientId" reference="clients" link="show" />
      <ReferenceField source="resourceId" reference="resources" link="show" />
      <EmailField source="owner" />
      <StatusField source="status" />
      <TextField source="justification" emptyText="—" />
      <RelativeDateField source="sunsetAt" emptyText="—" />
      <RelativeDateField source="lastUsedAt" emptyText="Never" />
      <StsSection />
      <VaultedSection />
    </RecordShow>
  );
}
