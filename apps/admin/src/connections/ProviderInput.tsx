import { Link, Stack } from '@mui/material';
import { required, useTranslate } from 'react-admin';

import { ReferenceSelect } from '../common/inputs.tsx';

/**
 * The OAuth provider an STS connection brokers tokens of, required by the API. Creating a provider
 * opens in a new tab so the wizard keeps what was entered; the picker reloads its choices when the
 * tab regains focus.
 */
export function ProviderInput() {
  const translate = useTranslate();
  return (
    <Stack sx={{ mb: 1 }}>
      <ReferenceSelect
        source="oauthProviderId"
        reference="oauth-providers"
        validate={required()}
        helperText={translate('crossgate.connections.provider.help')}
      />
      <Link href="#/oauth-providers/create" target="_blank" rel="noopener" variant="body2">
        {translate('crossgate.connections.provider.create')}
      </Link>
    </Stack>
  );
}
