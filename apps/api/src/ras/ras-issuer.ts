/**
 * @overview Where a protected resource's authorization server lives: its issuer identifier, the
 * role of its signing keys, and the endpoints under the issuer. One issuer per protected resource,
 * distinct from the IdP role's (`<public URL>`), so Crossgate never redeems an ID-JAG under the
 * issuer that minted it (DESIGN.md "Roles in the XAA flow").
 * @see RFC 8414 §2, §3.1 (metadata at `/.well-known/oauth-authorization-server/<issuer path>`)
 */

/** The issuer identifier of the resource-side authorization server of the resource `slug`. */
export function rasIssuer(publicUrl: string, slug: string): string {
  return `${publicUrl}/ras/${slug}`;
}

/** The SigningKey role whose keys sign that authorization server's access tokens. */
export function rasKeyRole(slug: string): string {
  return `ras:${slug}`;
}

/** The endpoints of that authorization server, as its metadata names them. */
export function rasEndpoints(issuer: string) {
  return {
    /** Refuses every request; published for clients whose metadata schema requires it. */
    authorization: `${issuer}/authorize`,
    token: `${issuer}/token`,
    jwks: `${issuer}/jwks`,
    introspection: `${issuer}/introspect`,
    revocation: `${issuer}/revoke`,
  };
}
