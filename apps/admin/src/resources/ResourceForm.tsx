import { ArrayInput, BooleanInput, FormDataConsumer, maxValue, minValue, NumberInput, required, SelectInput, SimpleFormIterator, TextArrayInput, TextInput } from 'react-admin';

import { OwnerInput, ReferenceMultiSelect, StatusInput } from '../common/inputs.tsx';
import { RecordCreate, RecordEdit } from '../common/views.tsx';
import { kindChoices, riskChoices, subjectTypeChoices } from './choices.ts';
import { GatewayInputs } from './GatewayInputs.tsx';

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

/** The authorization server: the resource's own, or Crossgate's resource-side one (issuer `<public URL>/ras/<slug>`, set by the API). */
function ProtectionInputs() {
  return (
    <>
      <BooleanInput source="rasEnabled" defaultValue={false} helperText="Crossgate redeems ID-JAGs for this resource and issues its access tokens" />
      <FormDataConsumer<{ rasEnabled?: boolean }>>
        {({ formData }) =>
          formData.rasEnabled ? (
            <>
              <NumberInput source="accessTokenLifetimeSeconds" defaultValue={300} validate={[required(), minValue(60), maxValue(3600)]} helperText="5 minutes by default, at most 1 hour" />
              <BooleanInput source="rasTrustsCrossgateIdp" defaultValue helperText="Redeem ID-JAGs of Crossgate's own IdP role; other issuers are listed under Trusted ID-JAG issuers" />
              <BooleanInput source="idJagReusable" defaultValue={false} helperText="Off: each ID-JAG is redeemed once. On: a client may redeem it again until it expires, for a fresh access token" />
              <ReferenceMultiSelect source="introspectionClientIds" reference="clients" helperText="The resource servers (clients) that may introspect its access tokens" />
            </>
          ) : (
            <TextInput source="authorizationServer" validate={required()} helperText="Issuer of the AS it lives behind (the exchange audience)" />
          )
        }
      </FormDataConsumer>
    </>
  );
}

function ResourceInputs() {
  return (
    <>
      <TextInput source="name" validate={required()} />
      <TextInput source="slug" validate={required()} helperText="Lowercase letters, digits and dashes; names its resource-AS issuer" />
      <SelectInput source="kind" choices={kindChoices} defaultValue="resource_app" validate={required()} />
      <TextInput source="description" multiline />
      <ProtectionInputs />
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
      <GatewayInputs />
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
