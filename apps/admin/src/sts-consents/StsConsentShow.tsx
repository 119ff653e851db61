import { ReferenceField, TextArrayField, TextField, TopToolbar, useTranslate } from 'react-admin';

import { RelativeDateField } from '../common/RelativeDateField.tsx';
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
      <RelativeDateField source="grantedAt" />
      <RelativeDateField source="lastRefreshedAt" emptyText="Never" />
      <RefreshTokenField label={translate('resources.sts-consents.fields.hasRefreshToken')} />
      <RelativeDateField source="withdrawnAt" emptyText="—" />
      <RelativeDateField source="revokedAt" emptyText="—" />
      <TextField source="revokedBy" emptyText="—" />
      <UpstreamRevocationField label={translate('resources.sts-consents.fields.upstreamRevocation')} />
    </RecordShow>
  );
}
