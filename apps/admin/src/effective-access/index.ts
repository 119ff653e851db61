import EffectiveAccessIcon from '@mui/icons-material/ManageSearch';

import { EffectiveAccessPage } from './EffectiveAccessPage.tsx';

/** A computed view, not a stored resource: a custom route with its own menu entry. */
export default {
  path: '/effective-access',
  label: 'Effective access',
  page: EffectiveAccessPage,
  icon: EffectiveAccessIcon,
};
