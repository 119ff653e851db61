/**
 * The provider form. The client secret is write-only: the password input starts empty on every
 * page, an empty one leaves the stored secret as it is, and removing it (a public client relying on
 * PKCE alone) is an explicit choice that sends `clientSecret: null`.
 */
import { BooleanInput, FormDataConsumer, PasswordInput, required, TextArrayInput, TextInput, useRecordContext, useTranslate } from 'react-admin';

import { StatusInput } from '../common/inputs.tsx';
import { RecordCreate, RecordEdit } from '../common/views.tsx';

interface ProviderFormValues extends Record<string, unknown> {
  clientSecret?: string | null;
  removeClientSecret?: boolean;
}

/** The body the API takes: no secret unless one was typed or its removal asked for. */
function toRequest({ clientSecret, removeClientSecret, hasClientSecret: _readOnly, ...values }: ProviderFormValues) {
  if (removeClientSecret === true) {
    return { ...values, clientSecret: null };
  }
  return typeof clientSecret === 'string' && clientSecret !== '' ? { ...values, clientSecret } : values;
}

function ClientSecretInputs() {
  const record = useRecordContext();
  const translate = useTranslate();
  const stored = record?.['hasClientSecret'] === true;
  return (
    <FormDataConsumer<ProviderFormValues>>
      {({ formData }) => (
        <>
          {formData.removeClientSecret !== true && (
            <PasswordInput
              source="clientSecret"
              autoComplete="new-password"
              helperText={translate(stored ? 'crossgate.oauthProviders.secret.replaceHelp' : 'crossgate.oauthProviders.secret.help')}
            />
          )}
          {stored && <BooleanInput source="removeClientSecret" helperText={translate('crossgate.oauthProviders.secret.removeHelp')} />}
        </>
      )}
    </FormDataConsumer>
  );
}

function OAuthProviderInputs() {
  const translate = useTranslate();
  const discovered = translate('crossgate.oauthProviders.discoveredHelp');
  return (
    <>
      <TextInput source="name" validate={required()} />
      <TextInput source="issuer" validate={required()} helperText={translate('crossgate.oauthProviders.issuerHelp')} />
      <TextInput source="clientId" validate={required()} helperText={translate('crossgate.oauthProviders.clientIdHelp')} />
      <ClientSecretInputs />
      <TextArrayInput source="scopes" helperText={translate('crossgate.oauthProviders.scopesHelp')} />
      <TextInput source="authorizationEndpoint" helperText={discovered} />
      <TextInput source="tokenEndpoint" helperText={discovered} />
      <TextInput source="revocationEndpoint" helperText={discovered} />
      <StatusInput />
    </>
  );
}

export const OAuthProviderCreate = () => (
  <RecordCreate transform={toRequest}>
    <OAuthProviderInputs />
  </RecordCreate>
);

export const OAuthProviderEdit = () => (
  <RecordEdit transform={toRequest}>
    <OAuthProviderInputs />
  </RecordEdit>
);
