import { Chip } from '@mui/material';
import { Pagination, RecordRepresentation, ReferenceField, ReferenceManyField, SingleFieldList } from 'react-admin';

type Side = 'userId' | 'groupId';

interface MembershipChipsProps {
  label?: string;
  /** The side the shown record is on. */
  target: Side;
  /** The other side, shown as a chip linking to it. */
  show: Side;
}

/** A user's groups, or a group's members, as chips. */
export function MembershipChips({ target, show }: MembershipChipsProps) {
  return (
    <ReferenceManyField
      reference="memberships"
      target={target}
      sort={{ field: 'createdAt', order: 'DESC' }}
      perPage={50}
      pagination={<Pagination rowsPerPageOptions={[]} />}
      empty={<span>None</span>}
    >
      <SingleFieldList linkType={false}>
        <ReferenceField source={show} reference={show === 'userId' ? 'users' : 'groups'} link="show">
          <Chip size="small" clickable label={<RecordRepresentation />} />
        </ReferenceField>
      </SingleFieldList>
    </ReferenceManyField>
  );
}
