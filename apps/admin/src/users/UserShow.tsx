import { EmailField, ReferenceField, TextField } from 'react-admin';

import { RelativeDateField } from '../common/RelativeDateField.tsx';
import { StatusField } from '../common/StatusField.tsx';
import { RecordShow } from '../common/views.tsx';
import { KillSwitchShowActions } from '../kill-switches/KillSwitchButton.tsx';
import { MembershipChips } from '../memberships/MembershipChips.tsx';

export function UserShow() {
  return (
    <RecordShow actions={<KillSwitchShowActions scope="user" />}>
      <EmailField source="email" emptyText="—" />
      <TextField source="displayName" emptyText="—" />
      <ReferenceField source="idpId" reference="trusted-idps" link="show" />
      <TextField source="subject" />
      <StatusField source="status" />
      <RelativeDateField source="lastSeenAt" emptyText="Never" />
      <MembershipChips label="Groups" target="userId" show="groupId" />
    </RecordShow>
  );
}
