import { membershipSources } from '@crossgate/domain';
import { required, SelectInput } from 'react-admin';

import { choicesOf } from '../common/choices.ts';
import { ReferenceSelect } from '../common/inputs.tsx';
import { RecordCreate } from '../common/views.tsx';

/** Memberships are added or removed, never edited: a change of group is a new membership. */
export const MembershipCreate = () => (
  <RecordCreate>
    <ReferenceSelect source="userId" reference="users" validate={required()} />
    <ReferenceSelect source="groupId" reference="groups" validate={required()} />
    <SelectInput source="source" choices={choicesOf(membershipSources)} defaultValue="manual" validate={required()} />
  </RecordCreate>
);
