/**
 * @overview The consent pages' one error class: a closed set of codes, each with its status, shown
 * to the person in the browser as a plain page (or as JSON to a client that asks for it). Anything
 * else becomes a bare 500 page; its detail goes to the log only.
 */
import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';

export const stsPageErrorStatus = {
  /** The consent URI was never issued, was used already, or expired. */
  invalid_consent_uri: 400,
  /** The callback's `state` is missing, unknown, used already or expired. */
  invalid_state: 400,
  /** The provider refused the authorization (the user declined) or the code exchange. */
  provider_refused: 400,
  /** The connection is no longer an active STS connection with an active provider. */
  connection_unavailable: 400,
  /** The provider or Redis could not be reached. */
  temporarily_unavailable: 503,
} as const;

export type StsPageErrorCode = keyof typeof stsPageErrorStatus;

export class StsPageError extends Error {
  override readonly name = 'StsPageError';
  readonly status: number;

  constructor(
    readonly code: StsPageErrorCode,
    /** Shown to the user: never a token, code or secret. */
    readonly description: string,
    options: { cause?: unknown } = {},
  ) {
    super(description, options.cause === undefined ? undefined : { cause: options.cause });
    this.status = stsPageErrorStatus[code];
  }
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

/** A minimal server-rendered page: the consent flow needs no more than a sentence. */
export function plainPage(title: string, message: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width"><title>${escapeHtml(title)}</title></head><body style="font-family:sans-serif;max-width:40em;margin:4em auto"><h1>${escapeHtml(title)}</h1><p>${escapeHtml(message)}</p></body></html>`;
}

/** Headers of every consent page: nothing cached, nothing framed, no referrer leaking the query. */
export function setPageHeaders(response: Response): void {
  response.setHeader('Cache-Control', 'no-store');
  response.setHeader('Referrer-Policy', 'no-referrer');
  response.setHeader('X-Frame-Options', 'DENY');
  response.setHeader('Content-Security-Policy', "default-src 'none'; style-src 'unsafe-inline'");
}

@Catch()
export class StsPageFilter implements ExceptionFilter {
  private readonly logger = new Logger('sts');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<Request & { requestId?: string }>();
    const response = http.getResponse<Response>();
    let error: StsPageError;
    if (exception instanceof StsPageError) {
      error = exception;
    } else {
      this.logger.error(`${request.method} ${request.path} failed (request ${request.requestId ?? '-'})`, exception instanceof Error ? exception.stack : typeof exception);
      error = new StsPageError('temporarily_unavailable', 'Something went wrong; try again from your agent');
    }
    if (response.headersSent) {
      response.end();
      return;
    }
    setPageHeaders(response);
    response.status(error.status);
    if (request.accepts(['html', 'json']) === 'json') {
      response.json({ error: error.code, error_description: error.description });
    } else {
      response.type('html').send(plainPage('Consent not completed', error.description));
    }
  }
}
