import { policyEffects, policyStatuses } from '@crossgate/domain';
import { BooleanInput, FormDataConsumer, required, SelectInput, TextInput } from 'react-admin';

import { choicesOf } from '../common/choices.ts';
import { AppPairInputs, InstantInput, ReferenceMultiSelect } from '../common/inputs.tsx';
import { RecordCreate, RecordEdit } from '../common/views.tsx';
import { ConditionsInputs, withoutEmptyConditions } from './conditions.tsx';
import { ScopesInput } from './ScopesInput.tsx';

interface PolicyFormData {
  everyone?: boolean;
  resourceId?: string;
}

function PolicyInputs() {
  return (
    <>
      <TextInput source="name" validate={required()} />
      <TextInput source="description" multiline />
      <AppPairInputs />
      <SelectInput source="effect" choices={choicesOf(policyEffects)} defaultValue="allow" validate={required()} />
      <BooleanInput source="everyone" label="Everyone at the trusted IdPs" defaultValue={false} />
      <FormDataConsumer<PolicyFormData>>
        {({ formData }) =>
          !formData.everyone && (
            <>
              <ReferenceMultiSelect source="subjectGroupIds" reference="groups" />
              <ReferenceMultiSelect source="subjectUserIds" reference="users" />
            </>
          )
        }
      </FormDataConsumer>
      <FormDataConsumer<PolicyFormData>>{({ formData }) => <ScopesInput resourceId={formData.resourceId} />}</FormDataConsumer>
      <ConditionsInputs />
      <SelectInput
        source="status"
        choices={policyStatuses.map((status) => ({ id: status, name: status, disabled: status === 'active' }))}
        defaultValue="draft"
        validate={required()}
        helperText="A policy becomes active when another it-admin approves it: use Request approval on its page"
      />
      <InstantInput source="expiresAt" helperText="Optional: the policy stops applying then" />
    </>
  );
}

export const PolicyCreate = () => (
  <RecordCreate transform={withoutEmptyConditions}>
    <PolicyInputs />
  </RecordCreate>
);

export const PolicyEdit = () => (
  <RecordEdit transform={withoutEmptyConditions}>
    <PolicyInputs />
  </RecordEdit>
);
