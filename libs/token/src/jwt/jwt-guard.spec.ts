import { hasDuplicateMembers, maxJsonNesting, nestingDepth, normalizeMediaType } from './jwt-guard.ts';

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
