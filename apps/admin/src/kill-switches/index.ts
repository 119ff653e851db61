import KillSwitchIcon from '@mui/icons-material/PowerSettingsNew';

import { KillSwitchCreate } from './KillSwitchCreate.tsx';
import { KillSwitchList } from './KillSwitchList.tsx';
import { KillSwitchShow } from './KillSwitchShow.tsx';

/** The incident responder's stop: fired, approved (when wide), lifted; no edit, the record is the history. */
export default {
  list: KillSwitchList,
  show: KillSwitchShow,
  create: KillSwitchCreate,
  icon: KillSwitchIcon,
  recordRepresentation: 'targetLabel',
};
