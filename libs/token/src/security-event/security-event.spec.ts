import { decodeProtectedHeader, jwtVerify } from 'jose';

import { generateSigningKey } from '../keys/signing-keys.ts';
import { mintSecurityEvent, securityEventTypes, sessionRevokedEvent, verificationEvent } from './security-event.ts';

describe('mintSecurityEvent', () => {
  it('should sign an RS256 secevent+jwt with one event, the txn and sub_id, and no sub or exp', async () => {
    const key = await generateSigningKey({ alg: 'RS256' });
    const now = new Date('2026-12-05T10:00:00Z');
    const set = await mintSecurityEvent({
      signingKey: key,
      issuer: 'https://crossgate.example',
      audience: ['https://receiver.example'],
      jti: 'set-1',
      txn: 'kill-1',
      subject: { format: 'iss_sub', iss: 'https://idp.example', sub: 'alice' },
      event: sessionRevokedEvent('Agent misbehaving', new Date('2026-12-05T09:59:00Z')),
      now,
    });

    expect(decodeProtectedHeader(set)).toEqual({ alg: 'RS256', typ: 'secevent+jwt', kid: key.kid });
    const { payload } = await jwtVerify(set, key.publicJwk, { typ: 'secevent+jwt', issuer: 'https://crossgate.example', audience: 'https://receiver.example', currentDate: now });
    expect(payload).toEqual({
      iss: 'https://crossgate.example',
      iat: Math.floor(now.getTime() / 1000),
      jti: 'set-1',
      aud: 'https://receiver.example',
      txn: 'kill-1',
      sub_id: { format: 'iss_sub', iss: 'https://idp.example', sub: 'alice' },
      events: { [securityEventTypes.sessionRevoked]: { initiating_entity: 'admin', reason_admin: { en: 'Agent misbehaving' }, event_timestamp: Math.floor(Date.parse('2026-12-05T09:59:00Z') / 1000) } },
    });
  });

  it('should keep several audiences as an array and carry a verification state', async () => {
    const key = await generateSigningKey({ alg: 'RS256' });
    const set = await mintSecurityEvent({ signingKey: key, issuer: 'https://c.example', audience: ['a', 'b'], jti: 'v', subject: { format: 'opaque', id: 'stream-1' }, event: verificationEvent('xyz'), now: new Date() });
    const { payload } = await jwtVerify(set, key.publicJwk, { typ: 'secevent+jwt' });
    expect(payload['aud']).toEqual(['a', 'b']);
    expect(payload['events']).toEqual({ [securityEventTypes.verification]: { state: 'xyz' } });
    expect(payload['txn']).toBeUndefined();
  });

  it('should refuse a SET with no audience', async () => {
    const key = await generateSigningKey({ alg: 'RS256' });
    await expect(mintSecurityEvent({ signingKey: key, issuer: 'i', audience: [], jti: 'j', subject: { format: 'opaque', id: 'x' }, event: verificationEvent(undefined), now: new Date() })).rejects.toThrow('audience');
  });
});
