import { FlagField } from '../common/FlagField.tsx';

/** Whether a refresh token is held for the consent; its value never leaves the API. */
export function RefreshTokenField({ label }: { label?: string }) {
  return <FlagField source="hasRefreshToken" yes="crossgate.stsConsents.refreshToken.held" no="crossgate.stsConsents.refreshToken.none" label={label} />;
}
