/**
 * A stand-in for Crossgate's resource authorization server, over real HTTP on loopback, honouring the
 * RAS contract the demo relies on: RFC 8414 metadata at
 * `/.well-known/oauth-authorization-server/ras/<slug>`, a JWKS of a fresh ES256 key, RFC 9068 access
 * tokens (`typ` at+jwt), and RFC 7662 introspection behind client_secret_basic. It is also Crossgate's
 * SSF transmitter face: `/.well-known/ssf-configuration` and the RS256 key SETs are signed with. The
 * full chain against real Crossgate is a separate test.
 */
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';

import { type CryptoKey, exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose';

export const introspectionClient = { clientId: 'demo-mcp-introspector', clientSecret: 'introspection secret: with spaces & symbols' };

export interface IssueOptions {
  /** Claims to set; a claim set to `undefined` is left out. */
  claims?: Record<string, unknown>;
  /** The `typ` header; `null` leaves it out. */
  typ?: string | null;
  /** Sign with this key instead of the server's (a foreign key). */
  key?: CryptoKey;
  kid?: string;
}

async function body(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function json(response: ServerResponse, status: number, value: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
}

export class TestAuthorizationServer {
  issuer = '';
  origin = '';
  /** Tokens issued and not revoked, with their claims, for introspection. */
  private readonly active = new Map<string, JWTPayload>();
  /** When set, introspection answers this status with no body. */
  introspectionFailure?: number;
  /** When set, the metadata names this issuer instead of the real one. */
  advertisedIssuer?: string;
  readonly introspectionCalls: { authorization: string | undefined; form: URLSearchParams }[] = [];
  /** The jwt-bearer grant issues at most these scopes, as a Crossgate policy would allow. */
  grantableScopes = ['notes.read', 'notes.write'];
  readonly tokenRequests: { authorization: string | undefined; form: URLSearchParams }[] = [];
  /** The RS256 key SETs are signed with (SSF 1.0 §4.1), published at the SSF `jwks_uri`. */
  ssfKey!: { privateKey: CryptoKey; publicJwk: JWK };

  private constructor(
    private readonly server: Server,
    private readonly slug: string,
    private readonly privateKey: CryptoKey,
    private readonly publicJwk: JWK,
  ) {}

  static async start(options: { slug: string; resource: () => string }): Promise<TestAuthorizationServer> {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const publicJwk = { ...(await exportJWK(publicKey)), kid: 'ras-key-1', alg: 'ES256', use: 'sig' };
    const server = createServer();
    const as = new TestAuthorizationServer(server, options.slug, privateKey, publicJwk);
    const ssf = await generateKeyPair('RS256');
    as.ssfKey = { privateKey: ssf.privateKey, publicJwk: { ...(await exportJWK(ssf.publicKey)), kid: 'ssf-key-1', alg: 'RS256', use: 'sig' } };
    as.resource = options.resource;
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      as.handle(request, response).catch((error: unknown) => json(response, 500, { error: String(error) }));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    as.origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    as.issuer = `${as.origin}/ras/${options.slug}`;
    return as;
  }

  /** The resource id tokens are issued for by default (known only once the MCP server listens). */
  resource: () => string = () => '';

  /** Signs an RFC 9068 access token: by default valid for 5 minutes, for alice via demo-agent, read and write. */
  async issue(options: IssueOptions = {}): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const claims: Record<string, unknown> = {
      iss: this.issuer,
      aud: this.resource(),
      sub: 'alice@example.test',
      client_id: 'demo-agent',
      scope: 'notes.read notes.write',
      jti: randomUUID(),
      iat: now,
      exp: now + 300,
      ...options.claims,
    };
    const payload = Object.fromEntries(Object.entries(claims).filter(([, value]) => value !== undefined)) as JWTPayload;
    const header = { alg: 'ES256', kid: options.kid ?? this.publicJwk.kid, ...(options.typ === null ? {} : { typ: options.typ ?? 'at+jwt' }) };
    const token = await new SignJWT(payload).setProtectedHeader(header).sign(options.key ?? this.privateKey);
    this.active.set(token, payload);
    return token;
  }

  /**
   * Signs a SET (RFC 8417) as the transmitter: `iss` the origin, `typ` secevent+jwt, RS256, a fresh
   * `jti`, no `sub` or `exp`; `claims` adds to or (with `undefined`) removes from those.
   */
  async securityEvent(claims: Record<string, unknown>, key: { privateKey: CryptoKey; kid: string } = { privateKey: this.ssfKey.privateKey, kid: 'ssf-key-1' }): Promise<string> {
    const payload = Object.fromEntries(
      Object.entries({ iss: this.origin, iat: Math.floor(Date.now() / 1000), jti: randomUUID(), ...claims }).filter(([, value]) => value !== undefined),
    ) as JWTPayload;
    return new SignJWT(payload).setProtectedHeader({ alg: 'RS256', typ: 'secevent+jwt', kid: key.kid }).sign(key.privateKey);
  }

  revoke(token: string): void {
    this.active.delete(token);
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', this.origin).pathname;
    if (request.method === 'GET' && path === `/.well-known/oauth-authorization-server/ras/${this.slug}`) {
      return json(response, 200, {
        issuer: this.advertisedIssuer ?? this.issuer,
        // The MCP SDK client (2.4.0) refuses metadata without authorization_endpoint and
        // response_types_supported, even for the jwt-bearer grant alone; Crossgate's RAS must send both.
        authorization_endpoint: `${this.issuer}/authorize`,
        token_endpoint: `${this.issuer}/token`,
        jwks_uri: `${this.issuer}/jwks`,
        introspection_endpoint: `${this.issuer}/introspect`,
        revocation_endpoint: `${this.issuer}/revoke`,
        grant_types_supported: ['urn:ietf:params:oauth:grant-type:jwt-bearer'],
        authorization_grant_profiles_supported: ['urn:ietf:params:oauth:grant-profile:id-jag'],
        token_endpoint_auth_methods_supported: ['client_secret_basic'],
        response_types_supported: [],
      });
    }
    if (request.method === 'GET' && path === '/.well-known/ssf-configuration') {
      return json(response, 200, { spec_version: '1_0', issuer: this.origin, jwks_uri: `${this.origin}/ssf/jwks`, delivery_methods_supported: ['urn:ietf:rfc:8935'] });
    }
    if (request.method === 'GET' && path === '/ssf/jwks') {
      return json(response, 200, { keys: [this.ssfKey.publicJwk] });
    }
    if (request.method === 'GET' && path === `/ras/${this.slug}/jwks`) {
      return json(response, 200, { keys: [this.publicJwk] });
    }
    if (request.method === 'POST' && path === `/ras/${this.slug}/introspect`) {
      const form = new URLSearchParams(await body(request));
      this.introspectionCalls.push({ authorization: request.headers.authorization, form });
      if (this.introspectionFailure) {
        response.writeHead(this.introspectionFailure).end();
        return;
      }
      const [scheme, credentials] = (request.headers.authorization ?? '').split(' ');
      const [id, secret] = Buffer.from(credentials ?? '', 'base64').toString('utf8').split(':').map((part) => decodeURIComponent(part.replace(/\+/g, ' ')));
      if (scheme !== 'Basic' || id !== introspectionClient.clientId || secret !== introspectionClient.clientSecret) {
        return json(response, 401, { error: 'invalid_client' });
      }
      const claims = this.active.get(form.get('token') ?? '');
      return json(response, 200, claims ? { active: true, token_type: 'Bearer', ...claims } : { active: false });
    }
    if (request.method === 'POST' && path === `/ras/${this.slug}/token`) {
      return this.redeem(request, response);
    }
    json(response, 404, { error: 'not_found' });
  }

  /**
   * The RFC 7523 jwt-bearer grant, reduced to what the client side needs: any assertion is accepted,
   * and the token carries the requested scopes that are grantable.
   */
  private async redeem(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const form = new URLSearchParams(await body(request));
    this.tokenRequests.push({ authorization: request.headers.authorization, form });
    if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer' || !form.get('assertion')) {
      return json(response, 400, { error: 'invalid_grant' });
    }
    const [, credentials] = (request.headers.authorization ?? '').split(' ');
    const clientId = decodeURIComponent(Buffer.from(credentials ?? '', 'base64').toString('utf8').split(':')[0] ?? '');
    const requested = (form.get('scope') ?? '').split(' ').filter(Boolean);
    const scope = requested.filter((name) => this.grantableScopes.includes(name)).join(' ');
    const accessToken = await this.issue({ claims: { client_id: clientId, scope: scope || undefined } });
    response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    response.end(JSON.stringify({ access_token: accessToken, token_type: 'Bearer', expires_in: 300, scope }));
  }
}
