import { clientAuthMethods, clientKinds } from '@crossgate/domain';

import { choicesOf } from '../common/choices.ts';

export const kindChoices = choicesOf(clientKinds);

/** Shown by their registered names (RFC 7591 token_endpoint_auth_method), which admins look up. */
export const authMethodChoices = choicesOf(clientAuthMethods, (method) => method);
