import { ReferenceField, SelectField, TextField } from 'react-admin';

import { RecordShow } from '../common/views.tsx';
import { adminRoleChoices } from './choices.ts';

export function GroupMappingShow() {
  return (
    <RecordShow>
      <ReferenceField source="idpId" reference="trusted-idps" link="show" />
      <TextField source="externalGroup" />
      <ReferenceField source="groupId" reference="groups" link="show" emptyText="—" />
      <SelectField source="adminRole" choices={adminRoleChoices} emptyText="No admin role" />
    </RecordShow>
  );
}
