/**
 * @overview The clients, resources and trusted IdPs the token endpoint serves from memory. It is
 * loaded with the policy index at one PolicyVersion, so it is exactly as current as the policies:
 * every admin write that changes one of these rows bumps the version, and every instance reloads
 * (see PolicyEngineService). A token request then needs no database read to learn who the client
 * is, which IdP signed the subject token or which resource the audience names.
 */
import type { DirectoryClientRow, DirectoryConnectionRow, DirectoryIdpRow, DirectoryResourceRow, DirectoryRows, RasTrustedIssuerRow } from '@crossgate/store';
import { createPinnedKeyResolver, type JwtKeyResolver } from '@crossgate/token';

export type { DirectoryClientRow, DirectoryConnectionRow, DirectoryIdpRow, DirectoryResourceRow, RasTrustedIssuerRow } from '@crossgate/store';

export class Directory {
  private readonly clients: Map<string, DirectoryClientRow>;
  private readonly idps: Map<string, DirectoryIdpRow>;
  private readonly resourcesByAudience = new Map<string, DirectoryResourceRow[]>();
  private readonly resourcesByIndicator = new Map<string, DirectoryResourceRow[]>();
  /** Resources protected by Crossgate's resource-side authorization server, by slug. */
  private readonly protectedResources = new Map<string, DirectoryResourceRow>();
  private readonly clientsById: Map<string, DirectoryClientRow>;
  /** `${resource id}\n${issuer}` → another IdP that resource's authorization server trusts. */
  private readonly rasTrustedIssuers: Map<string, RasTrustedIssuerRow>;
  /** `${client row id}\n${resource id}` → the client's id at that resource's authorization server. */
  private readonly remoteClientIds: Map<string, string>;
  /** `${client row id}\n${resource id}` → the pair's managed connections (not deleted, any status). */
  private readonly connections = new Map<string, DirectoryConnectionRow[]>();
  /** Imported pinned keys, per row: importing a JWK is far dearer than a lookup. */
  private readonly pinnedKeys = new WeakMap<object, JwtKeyResolver>();

  constructor(rows: DirectoryRows) {
    this.clients = new Map(rows.clients.map((client) => [client.clientId, client]));
    this.clientsById = new Map(rows.clients.map((client) => [client.id, client]));
    this.rasTrustedIssuers = new Map(rows.rasTrustedIssuers.map((trusted) => [`${trusted.resourceId}\n${trusted.issuer}`, trusted]));
    this.idps = new Map(rows.idps.map((idp) => [idp.issuer, idp]));
    this.remoteClientIds = new Map(rows.registrations.map((registration) => [`${registration.clientId}\n${registration.resourceId}`, registration.remoteClientId]));
    for (const connection of rows.connections) {
      const key = `${connection.clientId}\n${connection.resourceId}`;
      this.connections.set(key, [...(this.connections.get(key) ?? []), connection]);
    }
    for (const resource of rows.resources) {
      const atAudience = this.resourcesByAudience.get(resource.authorizationServer) ?? [];
      atAudience.push(resource);
      this.resourcesByAudience.set(resource.authorizationServer, atAudience);
      for (const indicator of resource.resourceIndicators) {
        this.resourcesByIndicator.set(indicator, [...(this.resourcesByIndicator.get(indicator) ?? []), resource]);
      }
      if (resource.rasEnabled) {
        this.protectedResources.set(resource.slug, resource);
      }
    }
  }

  /** The active client with this OAuth `client_id`. */
  client(clientId: string): DirectoryClientRow | undefined {
    return this.clients.get(clientId);
  }

  /** The active trusted IdP with exactly this issuer (DESIGN decision 5: exact comparison). */
  idp(issuer: string): DirectoryIdpRow | undefined {
    return this.idps.get(issuer);
  }

  /** The active resources that list `indicator` (RFC 8707) among their resource indicators. */
  resourcesNamed(indicator: string): readonly DirectoryResourceRow[] {
    return this.resourcesByIndicator.get(indicator) ?? [];
  }

  /** The active resources behind the authorization server `audience`. */
  resourcesAt(audience: string): readonly DirectoryResourceRow[] {
    return this.resourcesByAudience.get(audience) ?? [];
  }

  /** The active client with this row id. */
  clientById(id: string): DirectoryClientRow | undefined {
    return this.clientsById.get(id);
  }

  /** The active resource protected by Crossgate's resource-side authorization server under `slug`. */
  protectedResource(slug: string): DirectoryResourceRow | undefined {
    return this.protectedResources.get(slug);
  }

  /** Another IdP (not Crossgate's IdP role) whose ID-JAGs the resource's authorization server redeems. */
  rasTrustedIssuer(resourceId: string, issuer: string): RasTrustedIssuerRow | undefined {
    return this.rasTrustedIssuers.get(`${resourceId}\n${issuer}`);
  }

  /** The client's id at the resource's authorization server, when an admin registered one. */
  remoteClientId(clientRowId: string, resourceId: string): string | undefined {
    return this.remoteClientIds.get(`${clientRowId}\n${resourceId}`);
  }

  /** The managed connections (any status, not deleted) of the client with this row id to the resource. */
  connectionsOf(clientRowId: string, resourceId: string): readonly DirectoryConnectionRow[] {
    return this.connections.get(`${clientRowId}\n${resourceId}`) ?? [];
  }

  /**
   * A resolver over a row's pinned JWKS, imported once per loaded row.
   * @throws when the pinned JWKS is unusable
   */
  pinnedKeysOf(row: { jwks: unknown }): JwtKeyResolver {
    let resolver = this.pinnedKeys.get(row);
    if (resolver === undefined) {
      resolver = createPinnedKeyResolver(row.jwks);
      this.pinnedKeys.set(row, resolver);
    }
    return resolver;
  }
}
