import { SignJWT } from 'jose';

import { createPinnedKeyResolver } from '../jwks/remote-jwks.ts';
import { generateSigningKey, type SigningKey } from '../keys/signing-keys.ts';
import { failureCode } from '../test-support/failure-code.ts';
import { frozenNow } from '../test-support/local-idp.ts';
import { clampAccessTokenLifetime, mintAccessToken, verifyAccessToken } from './access-token.ts';

const issuer = 'https://crossgate.example.test/ras/jira';
let key: SigningKey;

beforeAll(async () => {
  key = await generateSigningKey();
});

function mint(lifetimeSeconds = 300) {
  return mintAccessToken({ signingKey: key, issuer, audience: 'https://jira.example.test/mcp', subject: 'alice', clientId: 'agent', scope: ['a', 'b', 'a'], lifetimeSeconds, now: frozenNow, jti: () => 'jti-1' });
}

function verify(token: string, now = frozenNow) {
  return verifyAccessToken(token, { issuer, keys: createPinnedKeyResolver({ keys: [key.publicJwk] }), algorithms: ['ES256'], now });
}

describe('access tokens (RFC 9068)', () => {
  it('should mint at+jwt with the RFC 9068 claims and verify them back', async () => {
    const { token, claims } = await mint();
    expect(claims).toEqual({ iss: issuer, aud: 'https://jira.example.test/mcp', sub: 'alice', client_id: 'agent', jti: 'jti-1', iat: claims.iat, exp: claims.iat + 300, scope: 'a b' });
    await expect(verify(token)).resolves.toEqual(claims);
  });

  it('should clamp the lifetime to one hour', () => {
    expect(clampAccessTokenLifetime(7200)).toBe(3600);
    expect(clampAccessTokenLifetime(0)).toBe(1);
  });

  it('should refuse an expired token, another typ and another issuer', async () => {
    const { token, claims } = await mint(60);
    expect(await failureCode(verify(token, new Date((claims.exp + 1) * 1000)))).toBe('expired');
    const idJagShaped = await new SignJWT({ ...claims }).setProtectedHeader({ alg: 'ES256', typ: 'oauth-id-jag+jwt', kid: key.kid }).sign(key.privateKey);
    expect(await failureCode(verify(idJagShaped))).toBe('wrong_type');
    const foreign = await new SignJWT({ ...claims, iss: 'https://elsewhere.example.test' }).setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: key.kid }).sign(key.privateKey);
    expect(await failureCode(verify(foreign))).toBe('wrong_issuer');
  });
});
