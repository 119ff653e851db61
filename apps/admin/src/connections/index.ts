import ConnectionIcon from '@mui/icons-material/Cable';

import { ConnectionCreate, ConnectionEdit } from './ConnectionForm.tsx';
import { ConnectionList } from './ConnectionList.tsx';
import { ConnectionShow } from './ConnectionShow.tsx';

/** Managed agent-to-tool connections, one of four patterns. */
export default {
  list: ConnectionList,
  show: ConnectionShow,
  create: ConnectionCreate,
  edit: ConnectionEdit,
  icon: ConnectionIcon,
  recordRepresentation: 'name',
};
