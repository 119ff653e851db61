import { DeleteButton, ReferenceField, TextField, TopToolbar, useRecordContext } from 'react-admin';

import { RelativeDateField } from '../common/RelativeDateField.tsx';
import { RecordShow } from '../common/views.tsx';
import { type ApiToken, TokenStateField } from './tokenState.tsx';

/** Revoking keeps the record (with its revocation time) for the audit trail. */
function RevokeButton() {
  const token = useRecordContext<ApiToken>();
  if (!token || token.revokedAt) {
    return null;
  }
  return (
    <DeleteButton
      mutationMode="pessimistic"
      label="Revoke"
      confirmTitle={`Revoke the API token "${token.name}"?`}
      confirmContent="Anything using it stops working at once. The record stays, marked revoked."
    />
  );
}

export function ApiTokenShow() {
  return (
    <RecordShow
      actions={
        <TopToolbar>
          <RevokeButton />
        </TopToolbar>
      }
    >
      <TextField source="name" />
      <TextField source="prefix" sx={{ fontFamily: 'monospace' }} />
      <ReferenceField source="adminUserId" reference="admin-users" link="show" />
      <TokenStateField label="State" />
      <RelativeDateField source="expiresAt" />
      <RelativeDateField source="revokedAt" emptyText="—" />
      <RelativeDateField source="lastUsedAt" emptyText="Never" />
    </RecordShow>
  );
}
