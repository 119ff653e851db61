import { membershipSources } from '@crossgate/domain';
import { DeleteButton, ReferenceField, SelectField, TopToolbar } from 'react-admin';

import { choicesOf } from '../common/choices.ts';
import { RecordShow } from '../common/views.tsx';

export function MembershipShow() {
  return (
    <RecordShow
      actions={
        <TopToolbar>
          <DeleteButton mutationMode="pessimistic" />
        </TopToolbar>
      }
    >
      <ReferenceField source="userId" reference="users" link="show" />
      <ReferenceField source="groupId" reference="groups" link="show" />
      <SelectField source="source" choices={choicesOf(membershipSources)} />
    </RecordShow>
  );
}
