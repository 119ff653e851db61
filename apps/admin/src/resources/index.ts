import ResourceIcon from '@mui/icons-material/Dns';

import { ResourceCreate, ResourceEdit } from './ResourceForm.tsx';
import { ResourceList } from './ResourceList.tsx';
import { ResourceShow } from './ResourceShow.tsx';

/** Resource apps and MCP servers, with the scopes they understand. */
export default {
  list: ResourceList,
  show: ResourceShow,
  create: ResourceCreate,
  edit: ResourceEdit,
  icon: ResourceIcon,
  recordRepresentation: 'name',
};
