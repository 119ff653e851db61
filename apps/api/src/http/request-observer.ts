/**
 * @overview Every HTTP request, before anything else sees it: its id (X-Request-Id), the log
 * context that makes every line logged on its behalf carry that id, and its duration in the
 * `crossgate_http_request_duration_seconds` histogram, labelled by route template once the
 * response has ended, and at LOG_LEVEL=debug one access-log line (method, route template, status,
 * duration; never the path, whose query may carry anything). Wraps the server's request listeners
 * as they are (the OAuth form endpoints, then Express), so it must be installed after them.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';

import { Logger } from '@nestjs/common';

import { httpRequestDuration, methodLabel, routeTemplateOf, runWithLogContext, statusClassLabel } from '@crossgate/logging';

import { requestIdOf } from './request-id.ts';

type RequestListener = (request: IncomingMessage, response: ServerResponse) => void;

const logger = new Logger('http');

export function observeRequests(server: Server): void {
  const accessLog = Logger.isLevelEnabled('debug');
  const listeners = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const started = performance.now();
    const requestId = requestIdOf(request.headers['x-request-id']);
    response.setHeader('X-Request-Id', requestId);
    response.once('close', () => {
      const seconds = (performance.now() - started) / 1000;
      const labels = { method: methodLabel(request.method), route: routeTemplateOf(request), status_class: statusClassLabel(response.statusCode, response.writableFinished) };
      httpRequestDuration.observe(labels, seconds);
      if (accessLog) {
        const status = response.writableFinished ? String(response.statusCode) : 'aborted';
        runWithLogContext({ requestId }, () => logger.debug(`${labels.method} ${labels.route} ${status} ${(seconds * 1000).toFixed(1)} ms`));
      }
    });
    runWithLogContext({ requestId }, () => {
      for (const listener of listeners) {
        listener.call(server, request, response);
      }
    });
  });
}

