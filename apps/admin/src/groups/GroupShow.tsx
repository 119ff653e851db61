import { ReferenceField, TextField } from 'react-admin';

import { MembershipChips } from '../memberships/MembershipChips.tsx';
import { RecordShow } from '../common/views.tsx';

export function GroupShow() {
  return (
    <RecordShow>
      <TextField source="name" />
      <TextField source="description" emptyText="—" />
      <ReferenceField source="idpId" reference="trusted-idps" link="show" emptyText="Any trusted IdP" />
      <MembershipChips label="Members" target="groupId" show="userId" />
    </RecordShow>
  );
}
