import { adminRoles } from '@crossgate/domain';

import { choicesOf } from '../common/choices.ts';

export const adminRoleChoices = choicesOf(adminRoles);
