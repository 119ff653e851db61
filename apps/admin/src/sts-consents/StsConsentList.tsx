import { stsConsentStatuses } from '@crossgate/domain';

import { ReferenceSelect, statusFilter } from '../common/inputs.tsx';
import { RecordList, ReferenceColumn } from '../common/views.tsx';
import { ConsentColumns } from './ConsentColumns.tsx';

const filters = [
  <ReferenceSelect key="connectionId" source="connectionId" reference="connections" alwaysOn />,
  <ReferenceSelect key="userId" source="userId" reference="users" alwaysOn />,
  statusFilter(stsConsentStatuses),
];

export function StsConsentList() {
  return (
    <RecordList sort={{ field: 'grantedAt', order: 'DESC' }} filters={filters}>
      <ReferenceColumn source="connectionId" reference="connections" />
      <ReferenceColumn source="userId" reference="users" />
      <ConsentColumns />
    </RecordList>
  );
}
