import ConnectionIcon from '@mui/icons-material/Cable';

import { ConnectionEdit } from './ConnectionForm.tsx';
import { ConnectionList } from './ConnectionList.tsx';
import { ConnectionShow } from './ConnectionShow.tsx';
import { ConnectionWizard } from './ConnectionWizard.tsx';

/** Managed agent-to-tool connections, one of four patterns. */
export default {
  list: ConnectionList,
  show: ConnectionShow,
  create: ConnectionWizard,
  edit: ConnectionEdit,
  icon: ConnectionIcon,
  recordRepresentation: 'name',
};
