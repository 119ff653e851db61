import WhatIfIcon from '@mui/icons-material/Science';

import { WhatIfPage } from '../policies/WhatIfPanel.tsx';

/** A computed view, not a stored resource: a custom route with its own menu entry. */
export default {
  path: '/what-if',
  label: 'What if?',
  page: WhatIfPage,
  icon: WhatIfIcon,
};
