/**
 * What an STS connection adds to its page: the OAuth provider users consent at, and the consents
 * given on this connection, each revocable from here.
 */
import { Stack } from '@mui/material';
import { Labeled, ReferenceField, useRecordContext, useTranslate } from 'react-admin';

import { RelatedRecords, ReferenceColumn } from '../common/views.tsx';
import { ConsentColumns } from '../sts-consents/ConsentColumns.tsx';

export function StsSection() {
  const record = useRecordContext();
  const translate = useTranslate();
  if (record?.['pattern'] !== 'sts') {
    return null;
  }
  return (
    <Stack sx={{ gap: 1 }}>
      <Labeled>
        <ReferenceField source="oauthProviderId" reference="oauth-providers" link="show" emptyText="—" />
      </Labeled>
      <Labeled label={translate('crossgate.connections.consents.title')} fullWidth>
        <RelatedRecords reference="sts-consents" target="connectionId" sort={{ field: 'grantedAt', order: 'DESC' }}>
          <ReferenceColumn source="userId" reference="users" />
          <ConsentColumns />
        </RelatedRecords>
      </Labeled>
    </Stack>
  );
}
