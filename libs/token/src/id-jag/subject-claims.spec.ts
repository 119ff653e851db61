import { createHmac } from 'node:crypto';

import { idJagSubjectClaims, type IdJagSubjectInput, pairwiseSubject } from './subject-claims.ts';

const secret = new Uint8Array(32).fill(7);
const chatAs = 'https://acme.chat.example/';
const wikiAs = 'https://wiki.example/';
const okta = 'https://acme.okta.example/oauth2/default';

function claims(overrides: Partial<IdJagSubjectInput> = {}) {
  return idJagSubjectClaims({
    subjectType: 'pairwise',
    sector: chatAs,
    idpIssuer: okta,
    upstreamSubject: '00u1alice',
    pairwiseSecret: secret,
    crossgateClientId: 'support-agent',
    releaseEmail: false,
    email: 'alice@acme.example',
    ...overrides,
  });
}

describe('idJagSubjectClaims: sub', () => {
  it('should pass the upstream sub through unchanged for a public resource', () => {
    expect(claims({ subjectType: 'public' }).sub).toBe('00u1alice');
  });

  it('should give the same pairwise sub for the same user, sector and IdP', () => {
    expect(claims().sub).toBe(claims().sub);
    expect(claims({ pairwiseSecret: new Uint8Array(secret) }).sub).toBe(claims().sub);
  });

  it('should be base64url(HMAC-SHA256(secret, sector \\n issuer \\n sub)) for a pairwise resource', () => {
    const expected = createHmac('sha256', secret).update(`${chatAs}\n${okta}\n00u1alice`).digest('base64url');

    expect(claims().sub).toBe(expected);
    expect(claims().sub).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('should not reveal the upstream sub in a pairwise sub', () => {
    expect(claims().sub).not.toBe('00u1alice');
    expect(claims().sub).not.toContain('00u1alice');
  });

  it('should give a different pairwise sub at another authorization server', () => {
    expect(claims({ sector: wikiAs }).sub).not.toBe(claims().sub);
  });

  it('should give a different pairwise sub for the same sub at another IdP', () => {
    expect(claims({ idpIssuer: 'https://login.other-idp.example/' }).sub).not.toBe(claims().sub);
  });

  it('should give different users different pairwise subs', () => {
    expect(claims({ upstreamSubject: '00u2bob' }).sub).not.toBe(claims().sub);
  });

  it('should change every pairwise sub when the secret changes', () => {
    expect(claims({ pairwiseSecret: new Uint8Array(32).fill(8) }).sub).not.toBe(claims().sub);
  });

  it('should not let the field boundary move between sector and issuer', () => {
    const shifted = pairwiseSubject(secret, 'https://a.example/x', 'y', 'alice');

    expect(pairwiseSubject(secret, 'https://a.example/', 'xy', 'alice')).not.toBe(shifted);
  });

  it('should refuse a sector or issuer with a line break, which would make the input ambiguous', () => {
    expect(() => claims({ sector: `${chatAs}\nx` })).toThrow(TypeError);
    expect(() => claims({ idpIssuer: `${okta}\r` })).toThrow(TypeError);
  });

  it('should refuse a pairwise secret shorter than 32 bytes', () => {
    expect(() => claims({ pairwiseSecret: new Uint8Array(16) })).toThrow(/at least 32 bytes/);
  });

  it('should refuse an empty upstream sub for a pairwise resource', () => {
    expect(() => claims({ upstreamSubject: '' })).toThrow(TypeError);
  });

  it('should not read the secret for a public resource', () => {
    expect(claims({ subjectType: 'public', pairwiseSecret: new Uint8Array(0) }).sub).toBe('00u1alice');
  });
});

describe('idJagSubjectClaims: client_id', () => {
  it('should use the Crossgate client_id when the client has no registration at the resource', () => {
    expect(claims().clientId).toBe('support-agent');
    expect(claims({ remoteClientId: null }).clientId).toBe('support-agent');
  });

  it("should use the client's id at the resource's authorization server when it is registered there", () => {
    expect(claims({ remoteClientId: 'https://support-agent.acme.example/' }).clientId).toBe('https://support-agent.acme.example/');
  });
});

describe('idJagSubjectClaims: email', () => {
  it('should leave the email out by default', () => {
    expect(claims()).not.toHaveProperty('email');
  });

  it('should release the email to a resource configured to receive it', () => {
    expect(claims({ releaseEmail: true }).email).toBe('alice@acme.example');
  });

  it('should leave the email out when the resource may receive it but none is known', () => {
    expect(claims({ releaseEmail: true, email: null })).not.toHaveProperty('email');
    expect(claims({ releaseEmail: true, email: undefined })).not.toHaveProperty('email');
    expect(claims({ releaseEmail: true, email: '' })).not.toHaveProperty('email');
  });

  it('should return exactly sub and client_id for a public resource without email release', () => {
    expect(claims({ subjectType: 'public' })).toStrictEqual({ sub: '00u1alice', clientId: 'support-agent' });
  });
});
