import ClientRegistrationIcon from '@mui/icons-material/Badge';

import { ClientRegistrationCreate, ClientRegistrationEdit } from './ClientRegistrationForm.tsx';
import { ClientRegistrationList } from './ClientRegistrationList.tsx';
import { ClientRegistrationShow } from './ClientRegistrationShow.tsx';

/** A client's id at a resource's authorization server, when it is not its Crossgate client ID. */
export default {
  list: ClientRegistrationList,
  show: ClientRegistrationShow,
  create: ClientRegistrationCreate,
  edit: ClientRegistrationEdit,
  icon: ClientRegistrationIcon,
  recordRepresentation: 'remoteClientId',
};
