import VaultIcon from '@mui/icons-material/EnhancedEncryption';

import { VaultPage } from './VaultPage.tsx';

/** The vaulted credentials, a view over the connections that hold one, with its own menu entry. */
export default {
  path: '/vault',
  label: 'Vault',
  page: VaultPage,
  icon: VaultIcon,
};
