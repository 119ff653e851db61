import { CompactSign, type CryptoKey, exportSPKI, importJWK, UnsecuredJWT } from 'jose';

import { mintIdJag } from '../id-jag/id-jag.ts';
import { createPinnedKeyResolver } from '../jwks/remote-jwks.ts';
import { type AsymmetricAlgorithm } from '../jwt/jwt-guard.ts';
import { generateSigningKey, type SigningKey } from '../keys/signing-keys.ts';
import { failureCode, thrownCode } from '../test-support/failure-code.ts';
import { clientIdAtIdp, createLocalIdp, frozenEpoch, frozenNow, idpIssuer, type LocalIdp, signJwt } from '../test-support/local-idp.ts';
import { selectTrustedIssuer, verifyIdToken, type VerifyIdTokenOptions } from './verify-id-token.ts';

let idp: LocalIdp;
let attacker: SigningKey;
let crossgate: SigningKey;

beforeAll(async () => {
  idp = await createLocalIdp();
  attacker = await generateSigningKey();
  crossgate = await generateSigningKey();
});

function verify(token: string, overrides: Partial<VerifyIdTokenOptions> = {}) {
  return verifyIdToken(token, {
    issuer: idpIssuer,
    audience: clientIdAtIdp,
    keys: createPinnedKeyResolver(idp.jwks),
    now: frozenNow,
    clockToleranceSeconds: 30,
    ...overrides,
  });
}

describe('verifyIdToken: tokens it accepts', () => {
  it('should return the claims of a valid ID token', async () => {
    const token = await idp.idToken({ groups: ['support', 'eng'], acr: 'urn:mfa', amr: ['pwd', 'otp'], email_verified: true, nonce: 'n-1', jti: 'id-1' });
    await expect(verify(token)).resolves.toEqual({
      issuer: idpIssuer,
      subject: 'alice-at-idp',
      audience: clientIdAtIdp,
      email: 'alice@example.test',
      emailVerified: true,
      groups: ['support', 'eng'],
      acr: 'urn:mfa',
      amr: ['pwd', 'otp'],
      authTime: frozenEpoch - 60,
      issuedAt: frozenEpoch,
      expiresAt: frozenEpoch + 300,
      nonce: 'n-1',
      jti: 'id-1',
      keyId: idp.key.kid,
    });
  });

  it('should return a sane name and ignore one that is too long or not a string, without refusing the token', async () => {
    await expect(verify(await idp.idToken({ name: 'Alice Example' }))).resolves.toMatchObject({ name: 'Alice Example' });
    expect(await verify(await idp.idToken({ name: 'x'.repeat(201) }))).not.toHaveProperty('name');
    expect(await verify(await idp.idToken({ name: { given: 'Alice' } }))).not.toHaveProperty('name');
  });

  it('should read groups from the claim name configured for the IdP', async () => {
    const token = await idp.idToken({ groups: ['ignored'], 'https://idp.example.test/claims/groups': ['support'] });
    await expect(verify(token, { groupsClaim: 'https://idp.example.test/claims/groups' })).resolves.toMatchObject({ groups: ['support'] });
  });

  it('should return no groups when the groups claim is absent', async () => {
    await expect(verify(await idp.idToken())).resolves.toMatchObject({ groups: [] });
  });

  it('should accept an audience given as a one-element array', async () => {
    await expect(verify(await idp.idToken({ aud: [clientIdAtIdp] }))).resolves.toMatchObject({ audience: clientIdAtIdp });
  });

  it('should accept a token without typ', async () => {
    await expect(verify(await idp.idToken({}, { typ: undefined }))).resolves.toMatchObject({ subject: 'alice-at-idp' });
  });

  it('should accept typ application/jwt as JWT', async () => {
    await expect(verify(await idp.idToken({}, { typ: 'application/jwt' }))).resolves.toMatchObject({ subject: 'alice-at-idp' });
  });

  it('should accept an RS256 token signed with the IdP RSA key', async () => {
    const token = await idp.idToken({}, { alg: 'RS256', kid: idp.rsaKey.kid }, idp.rsaKey);
    await expect(verify(token)).resolves.toMatchObject({ keyId: idp.rsaKey.kid });
  });

  it('should accept a token that expired within the clock tolerance', async () => {
    await expect(verify(await idp.idToken({ exp: frozenEpoch - 10 }))).resolves.toMatchObject({ subject: 'alice-at-idp' });
  });
});

describe('verifyIdToken: algorithms', () => {
  it('should refuse alg none', async () => {
    const token = new UnsecuredJWT({ iss: idpIssuer, sub: 'alice-at-idp', aud: clientIdAtIdp, iat: frozenEpoch, exp: frozenEpoch + 300 }).encode();
    expect(await failureCode(verify(token))).toBe('disallowed_algorithm');
  });

  it('should refuse HS256 signed with the IdP public RSA key as the secret', async () => {
    const publicKey = (await importJWK(idp.rsaKey.publicJwk, 'RS256', { extractable: true })) as CryptoKey;
    const publicKeyPem = await exportSPKI(publicKey);
    const token = await idp.idToken({}, { alg: 'HS256', kid: idp.rsaKey.kid }, { privateKey: new TextEncoder().encode(publicKeyPem) });
    expect(await failureCode(verify(token))).toBe('disallowed_algorithm');
  });

  it('should refuse HS256 signed with the IdP public JWK as the secret', async () => {
    const secret = new TextEncoder().encode(JSON.stringify(idp.key.publicJwk));
    const token = await idp.idToken({}, { alg: 'HS256', kid: idp.key.kid }, { privateKey: secret });
    expect(await failureCode(verify(token))).toBe('disallowed_algorithm');
  });

  it('should refuse an asymmetric algorithm left out of the configured allow-list', async () => {
    const token = await idp.idToken({}, { alg: 'RS256', kid: idp.rsaKey.kid }, idp.rsaKey);
    expect(await failureCode(verify(token, { allowedAlgorithms: ['ES256'] }))).toBe('disallowed_algorithm');
  });

  it('should refuse to be configured with an HMAC algorithm', async () => {
    const allowedAlgorithms = ['ES256', 'HS256'] as unknown as AsymmetricAlgorithm[];
    await expect(verify(await idp.idToken(), { allowedAlgorithms })).rejects.toThrow(TypeError);
  });

  it('should refuse to be configured with a clock tolerance over 60 seconds', async () => {
    await expect(verify(await idp.idToken(), { clockToleranceSeconds: 61 })).rejects.toThrow(TypeError);
  });
});

describe('verifyIdToken: keys and key identifiers', () => {
  it('should refuse a kid the IdP does not publish', async () => {
    expect(await failureCode(verify(await idp.idToken({}, { kid: 'rotated-away' })))).toBe('unknown_key');
  });

  it('should treat a kid with path characters as an opaque unknown key', async () => {
    expect(await failureCode(verify(await idp.idToken({}, { kid: '../../../../etc/passwd' })))).toBe('unknown_key');
  });

  it('should treat a kid with SQL characters as an opaque unknown key', async () => {
    expect(await failureCode(verify(await idp.idToken({}, { kid: "x' OR '1'='1' --" })))).toBe('unknown_key');
  });

  it('should refuse a kid with control characters before any key lookup', async () => {
    expect(await failureCode(verify(await idp.idToken({}, { kid: 'key\u0000\r\n' })))).toBe('unsafe_header');
  });

  it('should refuse an over-long kid', async () => {
    expect(await failureCode(verify(await idp.idToken({}, { kid: 'k'.repeat(257) })))).toBe('unsafe_header');
  });

  it('should refuse a kid that is not a string', async () => {
    expect(await failureCode(verify(await idp.idToken({}, { kid: 42 })))).toBe('unsafe_header');
  });

  it('should refuse a signature by another key that claims the IdP kid', async () => {
    const token = await idp.idToken({}, { kid: idp.key.kid }, attacker);
    expect(await failureCode(verify(token))).toBe('invalid_signature');
  });

  it('should refuse a token that only verifies with the jwk embedded in its header', async () => {
    const token = await idp.idToken({}, { kid: attacker.kid, jwk: attacker.publicJwk }, attacker);
    expect(await failureCode(verify(token))).toBe('unsafe_header');
  });

  it('should refuse a token with a jku header even when the IdP key signed it', async () => {
    expect(await failureCode(verify(await idp.idToken({}, { jku: 'https://attacker.example/jwks' })))).toBe('unsafe_header');
  });

  it('should refuse a token with an x5u header even when the IdP key signed it', async () => {
    expect(await failureCode(verify(await idp.idToken({}, { x5u: 'https://attacker.example/cert.pem' })))).toBe('unsafe_header');
  });

  it('should refuse a token with an x5c header even when the IdP key signed it', async () => {
    expect(await failureCode(verify(await idp.idToken({}, { x5c: ['MIIB'] })))).toBe('unsafe_header');
  });

  it('should refuse a token with critical header extensions', async () => {
    const token = await new CompactSign(new TextEncoder().encode(JSON.stringify({ iss: idpIssuer, sub: 'alice-at-idp', aud: clientIdAtIdp, iat: frozenEpoch, exp: frozenEpoch + 300 })))
      .setProtectedHeader({ alg: 'ES256', kid: idp.key.kid, crit: ['urn:example:ext'], 'urn:example:ext': true })
      .sign(idp.key.privateKey, { crit: { 'urn:example:ext': true } });
    expect(await failureCode(verify(token))).toBe('unsafe_header');
  });
});

describe('verifyIdToken: explicit typing and cross-JWT confusion', () => {
  it.each(['oauth-id-jag+jwt', 'at+jwt', 'application/at+jwt', 'secevent+jwt', 'client-authentication+jwt', 'logout+jwt', 'dpop+jwt'])(
    'should refuse typ %s',
    async (typ) => {
      expect(await failureCode(verify(await idp.idToken({}, { typ })))).toBe('wrong_type');
    },
  );

  it('should refuse a Crossgate-issued ID-JAG offered as an ID token', async () => {
    const { token } = await mintIdJag({
      signingKey: crossgate,
      issuer: 'https://crossgate.example.test',
      subject: 'alice-at-idp',
      audience: clientIdAtIdp,
      clientId: clientIdAtIdp,
      scope: ['read'],
      lifetimeSeconds: 300,
      now: frozenNow,
      jti: () => 'jag-1',
    });
    expect(await failureCode(verify(token))).toBe('wrong_type');
  });

  it('should refuse a Crossgate-issued access token offered as an ID token', async () => {
    const token = await signJwt(
      { iss: 'https://crossgate.example.test/ras/jira', sub: 'alice-at-idp', aud: clientIdAtIdp, client_id: clientIdAtIdp, iat: frozenEpoch, exp: frozenEpoch + 300, jti: 'at-1' },
      { alg: 'ES256', typ: 'at+jwt', kid: crossgate.kid },
      crossgate.privateKey,
    );
    expect(await failureCode(verify(token))).toBe('wrong_type');
  });

  it('should refuse a token signed with a Crossgate key even when typed and claimed like an IdP ID token', async () => {
    const token = await idp.idToken({}, { kid: crossgate.kid }, crossgate);
    expect(await failureCode(verify(token))).toBe('unknown_key');
  });
});

describe('verifyIdToken: issuer and audience', () => {
  it('should refuse a token whose iss is another issuer', async () => {
    expect(await failureCode(verify(await idp.idToken({ iss: 'https://other-idp.example.test' })))).toBe('wrong_issuer');
  });

  it('should compare the issuer exactly, without trailing-slash normalisation', async () => {
    expect(await failureCode(verify(await idp.idToken({ iss: `${idpIssuer}/` })))).toBe('wrong_issuer');
  });

  it('should refuse a token meant for another client', async () => {
    expect(await failureCode(verify(await idp.idToken({ aud: 'another-client' })))).toBe('wrong_audience');
  });

  it('should refuse an audience array that also names other parties', async () => {
    expect(await failureCode(verify(await idp.idToken({ aud: [clientIdAtIdp, 'another-client'] })))).toBe('wrong_audience');
  });

  it('should refuse an azp that names another client', async () => {
    expect(await failureCode(verify(await idp.idToken({ azp: 'another-client' })))).toBe('wrong_audience');
  });

  it('should refuse a token from an issuer that is not registered', async () => {
    const stranger = await createLocalIdp('https://unregistered-idp.example.test');
    const registered = new Map([[idpIssuer, { audience: clientIdAtIdp }]]);
    const token = await stranger.idToken();
    expect(thrownCode(() => selectTrustedIssuer(token, (issuer) => registered.get(issuer)))).toBe('untrusted_issuer');
  });

  it('should route a token to the registered issuer it names', async () => {
    const registered = new Map([[idpIssuer, { audience: clientIdAtIdp }]]);
    expect(selectTrustedIssuer(await idp.idToken(), (issuer) => registered.get(issuer))).toEqual({ audience: clientIdAtIdp });
  });
});

describe('verifyIdToken: time', () => {
  it('should refuse an expired token', async () => {
    expect(await failureCode(verify(await idp.idToken({ exp: frozenEpoch - 31 })))).toBe('expired');
  });

  it('should refuse a token whose nbf is in the future', async () => {
    expect(await failureCode(verify(await idp.idToken({ nbf: frozenEpoch + 120 })))).toBe('not_yet_valid');
  });

  it('should refuse a token issued in the future', async () => {
    expect(await failureCode(verify(await idp.idToken({ iat: frozenEpoch + 120, exp: frozenEpoch + 420 })))).toBe('not_yet_valid');
  });

  it('should refuse a token older than the maximum age', async () => {
    expect(await failureCode(verify(await idp.idToken({ iat: frozenEpoch - 120 }), { maxAgeSeconds: 60 }))).toBe('too_old');
  });

  it('should refuse a token without exp', async () => {
    expect(await failureCode(verify(await idp.idToken({ exp: undefined })))).toBe('invalid_claim');
  });
});

describe('verifyIdToken: claims', () => {
  it('should refuse a token without sub', async () => {
    expect(await failureCode(verify(await idp.idToken({ sub: undefined })))).toBe('invalid_claim');
  });

  it('should refuse a sub longer than 255 characters', async () => {
    expect(await failureCode(verify(await idp.idToken({ sub: 's'.repeat(256) })))).toBe('invalid_claim');
  });

  it('should refuse a groups claim that is not an array of strings', async () => {
    expect(await failureCode(verify(await idp.idToken({ groups: 'support' })))).toBe('invalid_claim');
  });

  it('should refuse an amr claim that is not an array of strings', async () => {
    expect(await failureCode(verify(await idp.idToken({ amr: 'pwd' })))).toBe('invalid_claim');
  });
});

describe('verifyIdToken: input shape', () => {
  it('should refuse a token over the size cap before parsing it', async () => {
    const token = await idp.idToken({ padding: 'p'.repeat(17 * 1024) });
    expect(await failureCode(verify(token))).toBe('oversized');
  });

  it('should refuse a signed payload that repeats a member name', async () => {
    const payload = `{"iss":"${idpIssuer}","sub":"alice-at-idp","sub":"admin","aud":"${clientIdAtIdp}","iat":${frozenEpoch},"exp":${frozenEpoch + 300}}`;
    const token = await new CompactSign(new TextEncoder().encode(payload)).setProtectedHeader({ alg: 'ES256', typ: 'JWT', kid: idp.key.kid }).sign(idp.key.privateKey);
    expect(await failureCode(verify(token))).toBe('malformed');
  });

  it('should refuse a header that repeats a member name', async () => {
    const [, payload, signature] = (await idp.idToken()).split('.');
    const header = Buffer.from(`{"alg":"ES256","kid":"${idp.key.kid}","alg":"none"}`).toString('base64url');
    expect(await failureCode(verify(`${header}.${payload}.${signature}`))).toBe('malformed');
  });

  it('should refuse a JWE-shaped token', async () => {
    expect(await failureCode(verify('eyJhbGciOiJSU0EtT0FFUCJ9.a.b.c.d'))).toBe('malformed');
  });

  it('should refuse something that is not a string', async () => {
    expect(await failureCode(verify({ token: 'x' } as unknown as string))).toBe('malformed');
  });
});
