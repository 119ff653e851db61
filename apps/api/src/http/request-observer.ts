/**
 * @overview Every HTTP request, before anything else sees it: its id (X-Request-Id), the log
 * context that makes every line logged on its behalf carry that id, and its duration in the
 * `crossgate_http_request_duration_seconds` histogram, labelled by route template once the
 * response has ended. Wraps the server's request listeners as they are (the OAuth form endpoints,
 * then Express), so it must be installed after them.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';

import { httpRequestDuration, methodLabel, routeTemplateOf, runWithLogContext, statusClassLabel } from '@crossgate/logging';

import { requestIdOf } from './request-id.ts';

type RequestListener = (request: IncomingMessage, response: ServerResponse) => void;

export function observeRequests(server: Server): void {
  const listeners = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const started = performance.now();
    const requestId = requestIdOf(request.headers['x-request-id']);
    response.setHeader('X-Request-Id', requestId);
    response.once('close', () => {
      const labels = { method: methodLabel(request.method), route: routeTemplateOf(request), status_class: statusClassLabel(response.statusCode, response.writableFinished) };
      httpRequestDuration.observe(labels, (performance.now() - started) / 1000);
    });
    runWithLogContext({ requestId }, () => {
      for (const listener of listeners) {
        listener.call(server, request, response);
      }
    });
  });
}

