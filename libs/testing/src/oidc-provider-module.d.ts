/**
 * The little of `oidc-provider`'s API that `oidc-provider.ts` and `oauth-provider.ts` use: the package ships no types, and
 * `@types/oidc-provider` is not a dependency.
 */
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export default class Provider {
    constructor(issuer: string, configuration?: Record<string, unknown>);
    callback(): (request: IncomingMessage, response: ServerResponse) => void;
    on(event: string, listener: (...args: never[]) => void): this;
    /** Ends an interaction with its result (`{ login: { accountId, amr?, acr? } }`, `{ consent: … }`). */
    interactionFinished(request: IncomingMessage, response: ServerResponse, result: Record<string, unknown>, options?: Record<string, unknown>): Promise<void>;
  }
}
