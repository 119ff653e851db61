/**
 * @overview SCIM requests authenticate with their IdP's bearer token (RFC 7644 §2, RFC 6750), not as
 * an admin: the routes are public to the admin guard, and this guard finds the IdP the token belongs
 * to. Everything a SCIM request reads or writes is then confined to that IdP's users and groups.
 */
import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { Request } from 'express';

import { type ScimClient, ScimTokenService } from './scim-token.service.ts';
import { scimError } from './scim.error.ts';

export interface ScimRequest extends Request {
  scimClient?: ScimClient;
  requestId?: string;
}

@Injectable()
export class ScimAuthGuard implements CanActivate {
  constructor(private readonly tokens: ScimTokenService) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<ScimRequest>();
    const match = /^Bearer ([^\s]+)$/i.exec(request.header('authorization') ?? '');
    const client = match?.[1] === undefined ? null : await this.tokens.clientOf(match[1]);
    if (client === null) {
      throw scimError(401, null, "Send the IdP's SCIM token as a Bearer token");
    }
    request.scimClient = client;
    return true;
  }
}
