import ClientIcon from '@mui/icons-material/SmartToy';

import { ClientCreate, ClientEdit } from './ClientForm.tsx';
import { ClientList } from './ClientList.tsx';
import { ClientShow } from './ClientShow.tsx';

/** Requesting apps and AI agents: the OAuth clients of Crossgate's token endpoint. */
export default {
  list: ClientList,
  show: ClientShow,
  create: ClientCreate,
  edit: ClientEdit,
  icon: ClientIcon,
  recordRepresentation: 'name',
};
