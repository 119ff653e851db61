import { TokenError } from '../token.error.ts';
import { hasDuplicateMembers, inspectJwt, maxJsonNesting, nestingDepth, normalizeMediaType, reinspectJwt } from './jwt-guard.ts';

const segment = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
/** An unsigned-looking compact JWS: inspection never looks at the signature. */
const compact = (header: unknown, payload: unknown) => `${segment(header)}.${segment(payload)}.c2lnbmF0dXJl`;
const strict = { maxBytes: 4096, algorithms: ['ES256'] as const, acceptType: (typ: string | undefined) => typ === 'oauth-id-jag+jwt' };

function refusal(action: () => unknown): { code: string; message: string } {
  try {
    action();
  } catch (error) {
    if (error instanceof TokenError) {
      return { code: error.code, message: error.message };
    }
    throw error;
  }
  throw new Error('expected a TokenError');
}

describe('inspectJwt', () => {
  it('should return the decoded header and payload with the token', () => {
    const token = compact({ alg: 'ES256', typ: 'oauth-id-jag+jwt', kid: 'k1' }, { iss: 'https://idp.example', cnf: { jkt: 'x' } });
    const inspected = inspectJwt(token, strict);
    expect(inspected.token).toBe(token);
    expect(inspected.header).toEqual({ alg: 'ES256', typ: 'oauth-id-jag+jwt', kid: 'k1' });
    expect(inspected.payload).toEqual({ iss: 'https://idp.example', cnf: { jkt: 'x' } });
  });

  it('should refuse a segment of a length no unpadded base64url text has', () => {
    const token = compact({ alg: 'ES256', typ: 'oauth-id-jag+jwt' }, { iss: 'a' });
    const [header, payload, signature] = token.split('.');
    const padded = payload!.length % 4 === 0 ? `${payload}A` : `${payload}${'A'.repeat(5 - (payload!.length % 4))}`;
    expect(padded.length % 4).toBe(1);
    expect(refusal(() => inspectJwt(`${header}.${padded}.${signature}`, strict))).toEqual({ code: 'malformed', message: 'The payload is not base64url UTF-8 JSON' });
  });

  it.each([
    ['an array', [1, 2]],
    ['a string', '"iss"'],
    ['null', 'null'],
  ])('should refuse a payload that is %s, not an object', (_, payload) => {
    expect(refusal(() => inspectJwt(compact({ alg: 'ES256', typ: 'oauth-id-jag+jwt' }, payload), strict))).toEqual({ code: 'malformed', message: 'The payload is not a JSON object' });
  });

  it('should refuse a header that is not an object', () => {
    expect(refusal(() => inspectJwt(compact([{ alg: 'ES256' }], { iss: 'a' }), strict)).code).toBe('malformed');
  });

  it('should refuse invalid UTF-8 in a segment', () => {
    const token = `${segment({ alg: 'ES256', typ: 'oauth-id-jag+jwt' })}.${Buffer.from([0x7b, 0xff, 0x7d]).toString('base64url')}.c2ln`;
    expect(refusal(() => inspectJwt(token, strict))).toEqual({ code: 'malformed', message: 'The payload is not base64url UTF-8 JSON' });
  });
});

describe('reinspectJwt', () => {
  const inspected = inspectJwt(compact({ alg: 'ES256', typ: 'oauth-id-jag+jwt' }, { iss: 'a' }), { ...strict, algorithms: ['ES256', 'RS256'] });

  it('should pass a token that meets the second verifier rules too', () => {
    expect(reinspectJwt(inspected, strict)).toBe(inspected);
  });

  it("should apply the second verifier's algorithm allow-list", () => {
    expect(refusal(() => reinspectJwt(inspected, { ...strict, algorithms: ['RS256'] })).code).toBe('disallowed_algorithm');
  });

  it("should apply the second verifier's typ rule", () => {
    expect(refusal(() => reinspectJwt(inspected, { ...strict, acceptType: (typ) => typ === 'at+jwt' })).code).toBe('wrong_type');
  });

  it("should apply the second verifier's size cap", () => {
    expect(refusal(() => reinspectJwt(inspected, { ...strict, maxBytes: 10 })).code).toBe('oversized');
  });
});

describe('hasDuplicateMembers', () => {
  it('should find no duplicate in distinct member names', () => {
    expect(hasDuplicateMembers('{"a":1,"b":{"a":2},"c":[{"a":3},{"a":4}]}')).toBe(false);
  });

  it('should find a repeated top-level member', () => {
    expect(hasDuplicateMembers('{"sub":"alice","sub":"admin"}')).toBe(true);
  });

  it('should find a repeated member in a nested object', () => {
    expect(hasDuplicateMembers('{"cnf":{"jkt":"a","jkt":"b"}}')).toBe(true);
  });

  it('should find a repeated member inside an array of objects', () => {
    expect(hasDuplicateMembers('{"keys":[{"kid":"1"},{"kid":"2","kid":"3"}]}')).toBe(true);
  });

  it('should compare names after unescaping', () => {
    expect(hasDuplicateMembers('{"aud":"x","\\u0061ud":"y"}')).toBe(true);
  });

  it('should not mistake string values for member names', () => {
    expect(hasDuplicateMembers('{"a":"b","c":"b","d":["a","a"],"e":"x\\"y"}')).toBe(false);
  });
});

describe('normalizeMediaType', () => {
  it('should prepend application/ and ignore case', () => {
    expect(normalizeMediaType('OAuth-ID-JAG+JWT')).toBe('application/oauth-id-jag+jwt');
  });

  it('should keep a value that already has a slash', () => {
    expect(normalizeMediaType('application/at+jwt')).toBe('application/at+jwt');
  });
});

describe('nestingDepth', () => {
  it('should count objects and arrays, not brackets inside strings', () => {
    expect(nestingDepth('{"a":[{"b":"{[{["}]}')).toBe(3);
    expect(nestingDepth('"plain"')).toBe(0);
  });

  it(`should exceed ${maxJsonNesting} for a deeply nested payload`, () => {
    expect(nestingDepth(`${'{"a":'.repeat(maxJsonNesting + 1)}1${'}'.repeat(maxJsonNesting + 1)}`)).toBeGreaterThan(maxJsonNesting);
  });
});
