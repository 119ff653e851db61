import { DateField, ReferenceField, TextArrayField, TextField, TopToolbar, useTranslate } from 'react-admin';

import { StatusField } from '../common/StatusField.tsx';
import { RecordShow } from '../common/views.tsx';
import { RefreshTokenField } from './RefreshTokenField.tsx';
import { RevokeConsentButton } from './RevokeConsentButton.tsx';
import { UpstreamRevocationField } from './upstream.tsx';

export function StsConsentShow() {
  const translate = useTranslate();
  return (
    <RecordShow
      actions={
        <TopToolbar>
          <RevokeConsentButton />
        </TopToolbar>
      }
    >
      <ReferenceField source="connectionId" reference="connections" link="show" />
      <ReferenceField source="userId" reference="users" link="show" />
      <StatusField source="status" />
      <TextArrayField source="scopes" emptyText="—" />
      <DateField source="grantedAt" showTime />
      <DateField source="lastRefreshedAt" showTime emptyText="Never" />
      <RefreshTokenField label={translate('resources.sts-consents.fields.hasRefreshToken')} />
      <DateField source="withdrawnAt" showTime emptyText="—" />
      <DateField source="revokedAt" showTime emptyText="—" />
      <TextField source="revokedBy" emptyText="—" />
      <UpstreamRevocationField label={translate('resources.sts-consents.fields.upstreamRevocation')} />
    </RecordShow>
  );
}
