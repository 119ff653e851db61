import { FlagField } from '../common/FlagField.tsx';

/** Whether a client secret is vaulted: the API never returns the secret, only `hasClientSecret`. */
export function ClientSecretField({ label }: { label?: string }) {
  return <FlagField source="hasClientSecret" yes="crossgate.oauthProviders.secret.stored" no="crossgate.oauthProviders.secret.none" label={label} />;
}
