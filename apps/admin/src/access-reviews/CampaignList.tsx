import { CreateButton, DataTable, NumberField, SelectInput, TopToolbar, useCanAccess, useTranslate } from 'react-admin';

import { RelativeDateField } from '../common/RelativeDateField.tsx';
import { StatusField } from '../common/StatusField.tsx';
import { choicesOf } from '../common/choices.ts';
import { RecordList, searchFilter } from '../common/views.tsx';
import { CampaignProgressField } from './CampaignFields.tsx';
import { campaignStatuses } from './types.ts';

const filters = [searchFilter, <SelectInput key="status" source="status" choices={choicesOf(campaignStatuses)} alwaysOn />];

function CampaignListActions() {
  const translate = useTranslate();
  const { canAccess } = useCanAccess({ resource: 'access-reviews', action: 'create' });
  return <TopToolbar>{canAccess && <CreateButton label={translate('crossgate.accessReviews.create.title')} />}</TopToolbar>;
}

export function CampaignList() {
  return (
    <RecordList sort={{ field: 'createdAt', order: 'DESC' }} filters={filters} actions={<CampaignListActions />}>
      <DataTable.Col source="name" />
      <DataTable.Col source="status" field={StatusField} />
      <DataTable.Col source="dueAt">
        <RelativeDateField source="dueAt" />
      </DataTable.Col>
      <DataTable.Col source="itemCount" disableSort>
        <NumberField source="itemCount" />
      </DataTable.Col>
      <DataTable.Col source="progress" disableSort field={CampaignProgressField} />
    </RecordList>
  );
}
