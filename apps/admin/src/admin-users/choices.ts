import { adminRoles } from '@crossgate/domain';

import { choicesOf } from '../common/choices.ts';

export const roleChoices = choicesOf(adminRoles);
