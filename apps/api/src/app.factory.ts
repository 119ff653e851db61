/**
 * @overview Builds the HTTP application the same way for `npm start` and for tests: body limits,
 * cookies, request ids, OpenAPI at /api/docs and the admin UI at /.
 */
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import path from 'node:path';

import type { INestApplication, LoggerService, LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import cookieParser from 'cookie-parser';
import express, { type NextFunction, type Request, type Response } from 'express';

import type { Config } from '@crossgate/config';
import { CrossgateLogger } from '@crossgate/logging';

import { AppModule } from './app.module.ts';
import { observeRequests, requestId } from './http/index.ts';
import { serveFormEndpoints, TokenEndpoint, tokenEndpointPath } from './oauth/index.ts';
import type { Clock } from './platform/index.ts';
import { RasEndpoints, rasFormEndpoints } from './ras/index.ts';
import { scimJsonBody, scimPath } from './scim/index.ts';
import { GatewayEndpoints, gatewayFormEndpoints } from './gateway/index.ts';

export interface ApiOptions {
  clock?: Clock;
  logger?: LoggerService | LogLevel[] | false;
  /** Nest's own close on SIGTERM/SIGINT (default); an entry point that stops more than the API turns it off. */
  shutdownHooks?: boolean;
}

function serveAdminUi(app: NestExpressApplication, directory: string): void {
  // `send` looks for dot segments only in the part of the path below `root`: the UI is served from an
  // install under ~/.cache or .worktrees/, while a dotfile inside its folder (a stray .env) stays absent.
  app.use(express.static(directory, { index: false, maxAge: '1h', dotfiles: 'ignore' }));
  // The UI routes in the browser: any GET that is not for the API or a probe gets index.html.
  app.use((request: Request, response: Response, next: NextFunction) => {
    const ownedByServer = /^\/(api|healthz|readyz|metrics|oauth2|sts|scim|\.well-known)(\/|$)/.test(request.path);
    if (request.method !== 'GET' || ownedByServer || !request.accepts('html')) {
      next();
      return;
    }
    response.setHeader('Cache-Control', 'no-cache');
    response.sendFile('index.html', { root: directory, dotfiles: 'ignore' });
  });
}

export async function createApi(config: Config, options: ApiOptions = {}): Promise<INestApplication> {
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, options.clock), {
    bodyParser: false,
    logger: options.logger ?? new CrossgateLogger(config.logLevel, 'crossgate', config.logFormat),
    // Report a failed start to the caller (which stops what it started) instead of exiting mid-log.
    abortOnError: false,
  });
  app.disable('x-powered-by');
  // No ETag hashing of every JSON answer: token responses are no-store, and admin lists change too often to be revalidated.
  app.set('etag', false);
  app.set('trust proxy', 'loopback');
  app.use(requestId);
  // SCIM bodies are `application/scim+json`, and a SCIM client is answered in SCIM's error format.
  app.use(scimPath, scimJsonBody(config.http.bodyLimit));
  app.use(express.json({ limit: config.http.bodyLimit, strict: true }));
  app.use(express.urlencoded({ limit: config.http.bodyLimit, extended: false, parameterLimit: 100 }));
  // Ahead of Express and Nest, whose middleware and routes every token request would otherwise walk.
  serveFormEndpoints(app.getHttpServer() as Server, [[tokenEndpointPath, app.get(TokenEndpoint)], ...rasFormEndpoints(app.get(RasEndpoints)), ...gatewayFormEndpoints(app.get(GatewayEndpoints))], {
    bodyLimitBytes: config.http.bodyLimitBytes,
  });
  // Ahead of everything: the request id, its log context and the request's duration.
  observeRequests(app.getHttpServer() as Server);
  // Sessions live under /api only; the token endpoint has no use for cookies.
  app.use('/api', cookieParser());
  if (options.shutdownHooks !== false) {
    app.enableShutdownHooks();
  }

  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Crossgate admin API')
      .setDescription('Trusted IdPs, clients, resources, policies, connections, admins and the audit log.')
      .setVersion('0.1.0')
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'An API token (cg_…)' })
      .addCookieAuth('cg_session')
      .build(),
  );
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs/openapi.json' });

  if (config.http.adminUiDir && existsSync(path.join(config.http.adminUiDir, 'index.html'))) {
    serveAdminUi(app, config.http.adminUiDir);
  }
  return app;
}
