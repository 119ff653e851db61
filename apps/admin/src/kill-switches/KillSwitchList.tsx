import { killSwitchScopes, killSwitchStates } from '@crossgate/domain';
import { CreateButton, DataTable, FilterButton, SelectInput, TopToolbar, useTranslate } from 'react-admin';

import { RelativeDateField } from '../common/RelativeDateField.tsx';
import { choicesOf } from '../common/choices.ts';
import { RecordList, searchFilter } from '../common/views.tsx';
import { DeliveryProgressField, StateField, TargetField } from './KillSwitchFields.tsx';
import { scopeLabels } from './types.ts';

const filters = [
  searchFilter,
  <SelectInput key="state" source="state" choices={choicesOf(killSwitchStates)} alwaysOn />,
  <SelectInput key="scope" source="scope" choices={choicesOf(killSwitchScopes, (scope) => scopeLabels[scope as keyof typeof scopeLabels])} />,
];

function KillSwitchListActions() {
  const translate = useTranslate();
  return (
    <TopToolbar>
      <FilterButton />
      <CreateButton label={translate('crossgate.killSwitches.create.title')} color="error" variant="contained" />
    </TopToolbar>
  );
}

export function KillSwitchList() {
  const translate = useTranslate();
  return (
    <RecordList sort={{ field: 'requestedAt', order: 'DESC' }} filters={filters} actions={<KillSwitchListActions />}>
      <DataTable.Col source="targetLabel" disableSort field={TargetField} />
      <DataTable.Col source="state" field={StateField} />
      <DataTable.Col source="reason" disableSort />
      <DataTable.Col source="createdBy" disableSort />
      <DataTable.Col source="activatedAt">
        <RelativeDateField source="activatedAt" emptyText="—" />
      </DataTable.Col>
      <DataTable.Col source="expiresAt">
        <RelativeDateField source="expiresAt" emptyText={translate('crossgate.killSwitches.untilLifted')} />
      </DataTable.Col>
      <DataTable.Col source="progress" disableSort field={DeliveryProgressField} />
    </RecordList>
  );
}
