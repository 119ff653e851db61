import { DataTable, TextArrayField } from 'react-admin';

import { RelativeDateField } from '../common/RelativeDateField.tsx';
import { StatusField } from '../common/StatusField.tsx';
import { RefreshTokenField } from './RefreshTokenField.tsx';
import { RevokeConsentButton } from './RevokeConsentButton.tsx';

/** A consent's columns after whose consent it is, ending with its Revoke button: on the consents list and a connection's page. */
export function ConsentColumns() {
  return (
    <>
      <DataTable.Col source="status" field={StatusField} />
      <DataTable.Col source="scopes" disableSort>
        <TextArrayField source="scopes" />
      </DataTable.Col>
      <DataTable.Col source="grantedAt">
        <RelativeDateField source="grantedAt" />
      </DataTable.Col>
      <DataTable.Col source="lastRefreshedAt">
        <RelativeDateField source="lastRefreshedAt" emptyText="Never" />
      </DataTable.Col>
      <DataTable.Col source="hasRefreshToken" disableSort>
        <RefreshTokenField />
      </DataTable.Col>
      <DataTable.Col disableSort>
        <RevokeConsentButton />
      </DataTable.Col>
    </>
  );
}
