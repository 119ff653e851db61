import { DateField, EmailField, ReferenceField, TextField } from 'react-admin';

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
      <DateField source="lastSeenAt" showTime emptyText="Never" />
      <MembershipChips label="Groups" target="userId" show="groupId" />
    </RecordShow>
  );
}
