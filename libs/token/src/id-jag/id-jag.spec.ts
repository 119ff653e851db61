import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';

import { createPinnedKeyResolver } from '../jwks/remote-jwks.ts';
import { buildPublicJwks, generateSigningKey, type SigningKey } from '../keys/signing-keys.ts';
import { failureCode } from '../test-support/failure-code.ts';
import { createLocalIdp, frozenEpoch, frozenNow, signJwt } from '../test-support/local-idp.ts';
import { clampIdJagLifetime, idJagJwtType, mintIdJag, type MintIdJagOptions, randomJti, tokenTypes, verifyIdJag, type VerifyIdJagOptions } from './id-jag.ts';

const crossgateIssuer = 'https://crossgate.example.test';
const rasIssuer = 'https://authorization-server.saas-tool.example/';
const clientAtRas = 'https://ai-agent-app.example/';

let signingKey: SigningKey;

beforeAll(async () => {
  signingKey = await generateSigningKey();
});

function mint(overrides: Partial<MintIdJagOptions> = {}) {
  return mintIdJag({
    signingKey,
    issuer: crossgateIssuer,
    subject: '1997e829-2029-41d4-a716-446655440000',
    audience: rasIssuer,
    clientId: clientAtRas,
    resource: 'https://api.saas-tool.example/',
    scope: ['agent.read', 'agent.write'],
    lifetimeSeconds: 60,
    now: frozenNow,
    jti: () => '9e43f81b64a33f20116179',
    ...overrides,
  });
}

function verify(token: string, overrides: Partial<VerifyIdJagOptions> = {}) {
  return verifyIdJag(token, {
    issuer: crossgateIssuer,
    audience: rasIssuer,
    keys: createPinnedKeyResolver({ keys: [signingKey.publicJwk] }),
    now: frozenNow,
    clockToleranceSeconds: 30,
    ...overrides,
  });
}

/** A hand-rolled ID-JAG (signed by the real key) for shapes mintIdJag refuses to produce. */
function forge(claims: Record<string, unknown>, header: Record<string, unknown> = {}) {
  return signJwt(
    {
      iss: crossgateIssuer,
      sub: 'alice',
      aud: rasIssuer,
      client_id: clientAtRas,
      jti: 'forged-1',
      iat: frozenEpoch,
      exp: frozenEpoch + 60,
      ...claims,
    },
    { alg: 'ES256', typ: idJagJwtType, kid: signingKey.kid, ...header },
    signingKey.privateKey,
  );
}

describe('ID-JAG constants', () => {
  it('should use the exact SPEC token type URN and JWT typ', () => {
    expect(tokenTypes.idJag).toBe('urn:ietf:params:oauth:token-type:id-jag');
    expect(idJagJwtType).toBe('oauth-id-jag+jwt');
  });
});

describe('mintIdJag', () => {
  it('should produce a token that jose verifies against the published JWKS', async () => {
    const { token } = await mint();
    const jwks = createLocalJWKSet(buildPublicJwks([{ publicJwk: signingKey.publicJwk, state: 'active' }], frozenNow));
    const { payload, protectedHeader } = await jwtVerify(token, jwks, {
      issuer: crossgateIssuer,
      audience: rasIssuer,
      typ: idJagJwtType,
      algorithms: ['ES256'],
      currentDate: frozenNow,
    });
    expect(protectedHeader.kid).toBe(signingKey.kid);
    expect(payload.sub).toBe('1997e829-2029-41d4-a716-446655440000');
  });

  it('should write exactly the header alg, typ and kid', async () => {
    const { token } = await mint();
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'ES256', typ: 'oauth-id-jag+jwt', kid: signingKey.kid });
  });

  it('should write exactly the SPEC 2.4 claims it was given', async () => {
    const { token, claims } = await mint({ authTime: frozenEpoch - 120, acr: 'urn:mfa', amr: ['pwd', 'otp'], email: 'alice@example.test' });
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as unknown;
    const expected = {
      iss: crossgateIssuer,
      sub: '1997e829-2029-41d4-a716-446655440000',
      aud: rasIssuer,
      client_id: clientAtRas,
      jti: '9e43f81b64a33f20116179',
      iat: frozenEpoch,
      exp: frozenEpoch + 60,
      resource: 'https://api.saas-tool.example/',
      scope: 'agent.read agent.write',
      auth_time: frozenEpoch - 120,
      acr: 'urn:mfa',
      amr: ['pwd', 'otp'],
      email: 'alice@example.test',
    };
    expect(payload).toStrictEqual(expected);
    expect(claims).toStrictEqual(expected);
  });

  it('should leave out email and the other optional claims when not given', async () => {
    const { claims } = await mint({ resource: undefined, scope: [] });
    expect(Object.keys(claims).sort()).toEqual(['aud', 'client_id', 'exp', 'iat', 'iss', 'jti', 'sub']);
  });

  it('should join scopes with spaces and drop duplicates', async () => {
    const { claims } = await mint({ scope: ['chat.read', 'chat.history', 'chat.read'] });
    expect(claims.scope).toBe('chat.read chat.history');
  });

  it('should write several resources as an array', async () => {
    const { claims } = await mint({ resource: ['https://a.example/', 'https://b.example/'] });
    expect(claims.resource).toEqual(['https://a.example/', 'https://b.example/']);
  });

  it('should take jti from the injected generator', async () => {
    const { claims } = await mint({ jti: () => 'from-the-generator' });
    expect(claims.jti).toBe('from-the-generator');
  });

  it('should clamp a requested lifetime above 300 seconds to 300', async () => {
    const { claims } = await mint({ lifetimeSeconds: 3600 });
    expect(claims.exp - claims.iat).toBe(300);
  });

  it('should keep a requested lifetime below 300 seconds', async () => {
    const { claims } = await mint({ lifetimeSeconds: 120 });
    expect(claims.exp - claims.iat).toBe(120);
  });

  it('should clamp a lifetime below one second to one second', () => {
    expect([0, -5, 0.4].map(clampIdJagLifetime)).toEqual([1, 1, 1]);
  });

  it('should refuse a scope that is not an RFC 6749 scope token', async () => {
    await expect(mint({ scope: ['read write'] })).rejects.toThrow(TypeError);
  });

  it('should refuse an empty subject', async () => {
    await expect(mint({ subject: '' })).rejects.toThrow(TypeError);
  });

  it('should generate distinct random jtis', () => {
    expect(new Set(Array.from({ length: 100 }, randomJti)).size).toBe(100);
  });
});

describe('verifyIdJag', () => {
  it('should return the claims of an ID-JAG minted by the trusted issuer', async () => {
    const { token, claims } = await mint({ acr: 'urn:mfa' });
    await expect(verify(token)).resolves.toStrictEqual(claims);
  });

  it('should return the email of an ID-JAG minted for a resource that receives it', async () => {
    const { token } = await mint({ email: 'alice@example.test' });
    await expect(verify(token)).resolves.toMatchObject({ email: 'alice@example.test' });
  });

  it.each(['application/oauth-id-jag+jwt', 'OAUTH-ID-JAG+JWT'])('should refuse typ %s, which is not exactly oauth-id-jag+jwt (SPEC §3.2)', async (typ) => {
    expect(await failureCode(verify(await forge({}, { typ })))).toBe('wrong_type');
  });

  it('should accept an audience given as a one-element array', async () => {
    await expect(verify(await forge({ aud: [rasIssuer] }))).resolves.toMatchObject({ aud: rasIssuer });
  });

  it('should refuse an ID token offered as an ID-JAG', async () => {
    const idp = await createLocalIdp(crossgateIssuer);
    const idToken = await idp.idToken({ aud: rasIssuer, client_id: clientAtRas, jti: 'x' }, { kid: signingKey.kid }, signingKey);
    expect(await failureCode(verify(idToken))).toBe('wrong_type');
  });

  it('should refuse an ID-JAG without typ', async () => {
    expect(await failureCode(verify(await forge({}, { typ: undefined })))).toBe('wrong_type');
  });

  it('should refuse an audience array with two members', async () => {
    expect(await failureCode(verify(await forge({ aud: [rasIssuer, 'https://other-ras.example/'] })))).toBe('wrong_audience');
  });

  it('should refuse an ID-JAG meant for another resource AS', async () => {
    expect(await failureCode(verify(await forge({ aud: 'https://other-ras.example/' })))).toBe('wrong_audience');
  });

  it('should refuse an ID-JAG from another issuer', async () => {
    expect(await failureCode(verify(await forge({ iss: 'https://other-idp.example/' })))).toBe('wrong_issuer');
  });

  it('should refuse an ID-JAG that lives longer than the maximum lifetime', async () => {
    expect(await failureCode(verify(await forge({ exp: frozenEpoch + 301 })))).toBe('lifetime_too_long');
  });

  it('should refuse an ID-JAG that lives longer than a lower configured maximum', async () => {
    expect(await failureCode(verify(await forge({ exp: frozenEpoch + 120 }), { maxLifetimeSeconds: 60 }))).toBe('lifetime_too_long');
  });

  it('should refuse an expired ID-JAG', async () => {
    const { token } = await mint({ lifetimeSeconds: 60 });
    expect(await failureCode(verify(token, { now: new Date(frozenNow.getTime() + 91_000) }))).toBe('expired');
  });

  it('should refuse an ID-JAG without jti', async () => {
    expect(await failureCode(verify(await forge({ jti: undefined })))).toBe('invalid_claim');
  });

  it('should refuse an ID-JAG without client_id', async () => {
    expect(await failureCode(verify(await forge({ client_id: undefined })))).toBe('invalid_claim');
  });

  it('should refuse an ID-JAG without sub', async () => {
    expect(await failureCode(verify(await forge({ sub: undefined })))).toBe('invalid_claim');
  });

  it('should refuse an ID-JAG whose resource is neither a string nor an array of strings', async () => {
    expect(await failureCode(verify(await forge({ resource: { uri: 'https://api.example/' } })))).toBe('invalid_claim');
  });

  it('should refuse an ID-JAG signed with HS256', async () => {
    const token = await signJwt(
      { iss: crossgateIssuer, sub: 'alice', aud: rasIssuer, client_id: clientAtRas, jti: 'j', iat: frozenEpoch, exp: frozenEpoch + 60 },
      { alg: 'HS256', typ: idJagJwtType, kid: signingKey.kid },
      new TextEncoder().encode(JSON.stringify(signingKey.publicJwk)),
    );
    expect(await failureCode(verify(token))).toBe('disallowed_algorithm');
  });

  it('should refuse to be configured to redeem ID-JAGs minted under its own issuer', async () => {
    const { token } = await mint({ audience: crossgateIssuer });
    await expect(verify(token, { audience: crossgateIssuer })).rejects.toThrow(TypeError);
  });

  it('should refuse an ID-JAG signed by a key the issuer does not publish', async () => {
    const stranger = await generateSigningKey();
    const { token } = await mint({ signingKey: stranger });
    expect(await failureCode(verify(token))).toBe('unknown_key');
  });
});
