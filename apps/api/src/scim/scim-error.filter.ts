/** Every error under /scim/v2 leaves as a SCIM error message (RFC 7644 §3.12), never as the admin API's problem JSON. */
import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Response } from 'express';

import { scimContentType, scimError, scimErrorBody, toScimError } from './scim.error.ts';

@Catch()
export class ScimErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('scim');

  catch(thrown: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    // Nest's own (an unknown route or method under a SCIM controller) carry a 4xx status.
    const { error, unexpected } =
      thrown instanceof HttpException && thrown.getStatus() === 404 ? { error: scimError(404, null, 'No such SCIM endpoint'), unexpected: false } : toScimError(thrown);
    if (unexpected) {
      this.logger.error(`SCIM request failed: ${thrown instanceof Error ? (thrown.stack ?? thrown.message) : String(thrown)}`);
    }
    if (error.status === 401) {
      response.setHeader('WWW-Authenticate', 'Bearer realm="scim"');
    }
    response.status(error.status).type(scimContentType).send(JSON.stringify(scimErrorBody(error)));
  }
}
