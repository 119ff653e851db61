import OAuthProviderIcon from '@mui/icons-material/Hub';

import { OAuthProviderCreate, OAuthProviderEdit } from './OAuthProviderForm.tsx';
import { OAuthProviderList } from './OAuthProviderList.tsx';
import { OAuthProviderShow } from './OAuthProviderShow.tsx';

/** Third-party OAuth providers that STS connections broker user-consented tokens of. */
export default {
  list: OAuthProviderList,
  show: OAuthProviderShow,
  create: OAuthProviderCreate,
  edit: OAuthProviderEdit,
  icon: OAuthProviderIcon,
  recordRepresentation: 'name',
};
