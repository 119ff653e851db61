import { ArrayInput, BooleanInput, required, SelectInput, SimpleFormIterator, TextArrayInput, TextInput } from 'react-admin';

import { OwnerInput, StatusInput } from '../common/inputs.tsx';
import { RecordCreate, RecordEdit } from '../common/views.tsx';
import { kindChoices, riskChoices, subjectTypeChoices } from './choices.ts';

/** An empty scope description is '' to the API (its default), never react-admin's null. */
const asTyped = (value: string) => value;

function ScopeCatalogueInput() {
  return (
    <ArrayInput source="scopes" label="Scope catalogue" helperText="The scopes this resource understands, and how risky each is">
      <SimpleFormIterator inline disableReordering>
        <TextInput source="name" label="Scope" validate={required()} helperText={false} />
        <TextInput source="description" defaultValue="" parse={asTyped} helperText={false} sx={{ minWidth: 320 }} />
        <SelectInput source="risk" choices={riskChoices} defaultValue="low" validate={required()} helperText={false} />
      </SimpleFormIterator>
    </ArrayInput>
  );
}

function ResourceInputs() {
  return (
    <>
      <TextInput source="name" validate={required()} />
      <TextInput source="slug" validate={required()} helperText="Lowercase letters, digits and dashes; names its resource-AS issuer" />
      <SelectInput source="kind" choices={kindChoices} defaultValue="resource_app" validate={required()} />
      <TextInput source="description" multiline />
      <TextInput source="authorizationServer" validate={required()} helperText="Issuer of the AS it lives behind (the exchange audience)" />
      <TextArrayInput source="resourceIndicators" validate={required()} helperText="Its RFC 8707 resource URIs; press Enter after each" />
      <ScopeCatalogueInput />
      <SelectInput
        source="subjectType"
        choices={subjectTypeChoices}
        defaultValue="public"
        validate={required()}
        helperText="The sub its ID-JAGs carry; pairwise hides one user's identity across authorization servers"
      />
      <BooleanInput source="releaseEmail" defaultValue={false} helperText="Off by default: ID-JAGs carry no email unless the resource needs it" />
      <OwnerInput />
      <StatusInput />
    </>
  );
}

export const ResourceCreate = () => (
  <RecordCreate>
    <ResourceInputs />
  </RecordCreate>
);

export const ResourceEdit = () => (
  <RecordEdit>
    <ResourceInputs />
  </RecordEdit>
);
