import { adminObjects, auditActorTypes } from '@crossgate/domain';
import { DataTable, SelectInput, TextInput } from 'react-admin';

import { RelativeDateField } from '../common/RelativeDateField.tsx';
import { InstantInput } from '../common/inputs.tsx';
import { StatusField } from '../common/StatusField.tsx';
import { RecordList, searchFilter } from '../common/views.tsx';
import { AuditActions } from './AuditActions.tsx';
import { TargetField } from './TargetField.tsx';

const actorTypes = auditActorTypes.map((type) => ({ id: type, name: type }));
const targetTypes = adminObjects.filter((object) => object !== 'audit').map((object) => ({ id: object, name: object }));

const filters = [
  searchFilter,
  <TextInput key="action" source="action" placeholder="client.create" alwaysOn />,
  <SelectInput key="targetType" source="targetType" choices={targetTypes} />,
  <TextInput key="targetId" source="targetId" />,
  <SelectInput key="actorType" source="actorType" choices={actorTypes} />,
  <TextInput key="actorId" source="actorId" />,
  <SelectInput key="decision" source="decision" choices={[{ id: 'allow', name: 'allow' }, { id: 'deny', name: 'deny' }]} />,
  <TextInput key="requestId" source="requestId" />,
  <InstantInput key="from" source="from" label="From" />,
  <InstantInput key="to" source="to" label="Until" />,
];

/** Newest first: the sequence number orders events exactly, even within one millisecond. */
export function AuditList() {
  return (
    <RecordList sort={{ field: 'seq', order: 'DESC' }} filters={filters} actions={<AuditActions />}>
      <DataTable.Col source="seq" />
      <DataTable.Col source="at">
        <RelativeDateField source="at" />
      </DataTable.Col>
      <DataTable.Col source="actorLabel" />
      <DataTable.Col source="action" sx={{ fontFamily: 'monospace' }} />
      <DataTable.Col source="targetType" label="Target" field={TargetField} />
      <DataTable.Col source="decision" field={StatusField} disableSort />
      <DataTable.Col source="reason" disableSort />
    </RecordList>
  );
}
