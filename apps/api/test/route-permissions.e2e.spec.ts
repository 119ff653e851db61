/**
 * Every route declares who may call it, and each role gets exactly the access the role table promises.
 * The expectations below are written out by hand on purpose: they restate the product's promise, so
 * a change to `roleGrants` that widens or narrows a role fails here instead of passing silently.
 */
import { randomUUID } from 'node:crypto';

import { RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { DiscoveryService, MetadataScanner, ModulesContainer, Reflector } from '@nestjs/core';

import type { AdminRole } from '@crossgate/domain';
import { AdminHttp, createAdmin, type HttpResult, listQuery, unique } from '@crossgate/testing';

import { PERMISSION_KEY, PUBLIC_KEY, SIGNED_IN_KEY } from '../src/auth/index.ts';
import { startTestApi, type TestApi } from './support/test-api.ts';

interface Route {
  method: string;
  path: string;
  permission: string | undefined;
  signedIn: boolean;
  public: boolean;
}

const roles: readonly AdminRole[] = ['it-admin', 'incident-responder', 'compliance-reviewer', 'auditor'];

const everyone: readonly AdminRole[] = roles;
const itAdminOnly: readonly AdminRole[] = ['it-admin'];

/** Permission → the roles that hold it. A permission missing here fails the matrix test. */
const expectedHolders: Record<string, readonly AdminRole[]> = {
  'trusted-idps:read': everyone,
  'trusted-idps:write': itAdminOnly,
  'users:read': everyone,
  'users:write': itAdminOnly,
  'groups:read': everyone,
  'groups:write': itAdminOnly,
  'memberships:read': everyone,
  'memberships:write': itAdminOnly,
  'clients:read': everyone,
  'clients:write': itAdminOnly,
  'resources:read': everyone,
  'resources:write': itAdminOnly,
  'client-registrations:read': everyone,
  'client-registrations:write': itAdminOnly,
  'ras-trusted-issuers:read': everyone,
  'ras-trusted-issuers:write': itAdminOnly,
  'policies:read': everyone,
  'policies:write': itAdminOnly,
  'approvals:read': everyone,
  // Only an it-admin decides a policy approval request (and never their own).
  'approvals:write': itAdminOnly,
  'tool-call-approvals:read': everyone,
  // A high-risk tool call at the MCP gateway is decided by an it-admin or an incident responder.
  'tool-call-approvals:write': ['it-admin', 'incident-responder'],
  'group-mappings:read': everyone,
  'group-mappings:write': itAdminOnly,
  'connections:read': everyone,
  'connections:write': itAdminOnly,
  'oauth-providers:read': everyone,
  'oauth-providers:write': itAdminOnly,
  'sts-consents:read': everyone,
  'sts-consents:write': itAdminOnly,
  'admin-users:read': everyone,
  'admin-users:write': itAdminOnly,
  'api-tokens:read': everyone,
  'api-tokens:write': itAdminOnly,
  'audit:read': everyone,
  'audit:export': ['it-admin', 'compliance-reviewer', 'auditor'],
  'audit:verify': ['it-admin', 'auditor'],
  'audit:delete': [],
  'signing-keys:read': everyone,
  'signing-keys:write': itAdminOnly,
  'kill-switches:read': everyone,
  'kill-switches:write': ['it-admin', 'incident-responder'],
  'ssf-streams:read': everyone,
  'ssf-streams:write': itAdminOnly,
  'access-reviews:read': everyone,
  'access-reviews:write': ['it-admin', 'compliance-reviewer'],
  'access-reviews:review': ['it-admin', 'compliance-reviewer'],
  'access-reviews:export': ['it-admin', 'compliance-reviewer', 'auditor'],
};

function joinPath(...parts: (string | undefined)[]): string {
  const joined = parts
    .flatMap((part) => (part ?? '').split('/'))
    .filter((segment) => segment !== '')
    .join('/');
  return `/${joined}`;
}

/** The route table as Nest registered it: every controller method carrying a route decorator. */
function routeTable(api: TestApi): Route[] {
  const discovery = new DiscoveryService(api.app.get(ModulesContainer));
  const scanner = new MetadataScanner();
  const reflector = new Reflector();
  const routes: Route[] = [];
  for (const wrapper of discovery.getControllers()) {
    const controller = wrapper.metatype as (new (...args: never[]) => object) | null;
    if (!controller) {
      continue;
    }
    const basePath = Reflect.getMetadata(PATH_METADATA, controller) as string | undefined;
    for (const name of scanner.getAllMethodNames(controller.prototype)) {
      const handler = (controller.prototype as Record<string, unknown>)[name] as object;
      const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      if (method === undefined) {
        continue;
      }
      const targets = [handler as () => unknown, controller];
      routes.push({
        method: RequestMethod[method],
        path: joinPath(basePath, Reflect.getMetadata(PATH_METADATA, handler) as string | undefined),
        permission: reflector.getAllAndOverride<string | undefined>(PERMISSION_KEY, targets),
        signedIn: reflector.getAllAndOverride<boolean | undefined>(SIGNED_IN_KEY, targets) === true,
        public: reflector.getAllAndOverride<boolean | undefined>(PUBLIC_KEY, targets) === true,
      });
    }
  }
  return routes;
}

/**
 * A harmless call of `route`: unknown ids (404), a list page of one row, an export that matches
 * nothing, and writes with an empty body (422) or against an unknown id (404), so nothing changes.
 */
function harmlessCall(http: AdminHttp, route: Route): Promise<HttpResult> {
  const path = route.path.replace(':id', randomUUID()).replace(':seq', '999999999999');
  switch (route.method) {
    case 'GET':
      if (path === '/api/audit/export') {
        return http.get(`${path}?format=jsonl&filter=${encodeURIComponent(JSON.stringify({ action: 'no-such-action' }))}`);
      }
      return http.get(route.path.includes(':') ? path : `${path}${listQuery({ range: [0, 0] })}`);
    case 'POST':
    case 'PUT':
    case 'PATCH':
      return http.request(route.method, path, {});
    case 'DELETE':
      return http.delete(path);
    default:
      throw new Error(`No harmless call for ${route.method} ${route.path}`);
  }
}

let api: TestApi;
let routes: Route[];
const asRole = {} as Record<AdminRole, AdminHttp>;

beforeAll(async () => {
  api = await startTestApi();
  routes = routeTable(api);
  for (const role of roles) {
    asRole[role] = AdminHttp.withToken(api.baseUrl, (await createAdmin(api.prisma, role)).token);
  }
});

afterAll(async () => {
  await api.close();
});

describe('the route table', () => {
  it('should be read from the running app, with the clients, audit and auth routes in it', () => {
    const names = routes.map((route) => `${route.method} ${route.path}`);

    expect(names).toEqual(
      expect.arrayContaining([
        'GET /api/clients',
        'POST /api/clients',
        'PUT /api/clients/:id',
        'DELETE /api/clients/:id',
        'POST /api/clients/:id/secret',
        'GET /api/audit',
        'GET /api/audit/verify',
        'GET /api/audit/export',
        'GET /api/audit/:seq',
        'POST /api/policies/simulate',
        'GET /api/effective-access',
        'GET /api/connections-ladder',
        'POST /api/auth/sign-in',
        'POST /api/auth/sign-out',
        'GET /api/auth/me',
        'GET /healthz',
        'GET /readyz',
      ]),
    );
    expect(routes.length).toBeGreaterThan(40);
  });

  it('should have every route declare exactly one of @Authorize, @SignedIn or @Public', () => {
    const offenders = routes
      .filter((route) => [route.permission !== undefined, route.signedIn, route.public].filter(Boolean).length !== 1)
      .map((route) => `${route.method} ${route.path}`);

    expect(offenders).toEqual([]);
  });

  // The OAuth form endpoints (POST /oauth2/token, and /token, /introspect, /revoke under /ras/:slug) are served ahead of Nest (oauth/form-endpoint.ts)
  // and authenticate clients themselves; they are not in this table. The SCIM routes are public to the admin guard and
  // authenticate a trusted IdP's SCIM token with their own guard (scim/scim-auth.guard.ts).
  it('should keep @Public to sign-in (password and SSO), the health probes and metrics, the OAuth and SSF discovery documents and keys, the STS consent routes and SCIM', () => {
    const publicRoutes = routes.filter((route) => route.public).map((route) => `${route.method} ${route.path}`);

    expect(publicRoutes.sort()).toEqual([
      'DELETE /sts/consents/:connectionId',
      'GET /.well-known/oauth-authorization-server',
      'GET /.well-known/oauth-authorization-server/ras/:slug',
      'GET /.well-known/ssf-configuration',
      'GET /api/auth/sso',
      'GET /api/auth/sso/:idpId/start',
      'GET /api/auth/sso/callback',
      'GET /healthz',
      'GET /metrics',
      'GET /oauth2/authorize',
      'GET /oauth2/jwks',
      'GET /ras/:slug/authorize',
      'GET /ras/:slug/jwks',
      'GET /readyz',
      'GET /ssf/jwks',
      'GET /sts/callback',
      'GET /sts/consent/:ticket',
      'POST /api/auth/sign-in',
      'POST /oauth2/authorize',
      'POST /ras/:slug/authorize',
      ...['Groups', 'Users'].flatMap((type) => [`DELETE /scim/v2/${type}/:id`, `GET /scim/v2/${type}`, `GET /scim/v2/${type}/:id`, `PATCH /scim/v2/${type}/:id`, `POST /scim/v2/${type}`, `PUT /scim/v2/${type}/:id`]),
      'GET /scim/v2/ResourceTypes',
      'GET /scim/v2/ResourceTypes/:id',
      'GET /scim/v2/Schemas',
      'GET /scim/v2/Schemas/:id',
      'GET /scim/v2/ServiceProviderConfig',
    ].sort());
  });
});

describe('the role matrix over HTTP', () => {
  it('should have an expected holder list for every permission a route asks for', () => {
    const unlisted = [...new Set(routes.flatMap((route) => (route.permission ? [route.permission] : [])))].filter(
      (permission) => !(permission in expectedHolders),
    );

    expect(unlisted).toEqual([]);
  });

  it.each(roles)('should answer 403 to %s exactly where the role lacks the permission', async (role) => {
    const mismatches: string[] = [];
    const authorized = routes.filter((route) => route.permission !== undefined);
    expect(authorized.length).toBeGreaterThan(40);

    for (const route of authorized) {
      const allowed = (expectedHolders[route.permission!] ?? []).includes(role);
      const response = await harmlessCall(asRole[role], route);
      const label = `${route.method} ${route.path} (${route.permission}) → ${response.status}`;
      if (!allowed && response.status !== 403) {
        mismatches.push(`${label}, expected 403`);
      }
      if (allowed && response.status === 403) {
        mismatches.push(`${label}, expected access`);
      }
      if (allowed && route.method !== 'GET' && response.status < 400) {
        mismatches.push(`${label}, a harmless write must not succeed`);
      }
      if (response.status >= 500) {
        mismatches.push(`${label}, server error`);
      }
    }

    expect(mismatches).toEqual([]);
  });

  it.each(roles)('should let nobody delete an audit event, not even %s', async (role) => {
    // A refused sign-in is the cheapest way to be sure an event exists.
    const email = `${unique('nobody')}@example.test`;
    await AdminHttp.anonymous(api.baseUrl).post('/api/auth/sign-in', { email, password: 'not the password' });
    const event = await api.prisma.auditEvent.findFirstOrThrow({ where: { actorLabel: email } });

    const response = await asRole[role].delete(`/api/audit/${event.seq}`);
    const first = await asRole[role].delete('/api/audit/1');

    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(first.status).toBeGreaterThanOrEqual(400);
    expect(await api.prisma.auditEvent.count({ where: { seq: event.seq } })).toBe(1);
  });

  it('should answer 401 to every non-public route when no credentials are sent', async () => {
    const anonymous = AdminHttp.anonymous(api.baseUrl);
    const answered: string[] = [];
    for (const route of routes.filter((candidate) => !candidate.public)) {
      const response = await harmlessCall(anonymous, route);
      if (response.status !== 401) {
        answered.push(`${route.method} ${route.path} → ${response.status}`);
      }
    }

    expect(answered).toEqual([]);
  });
});
