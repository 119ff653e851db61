import {
  AuditChainVerifier,
  type AuditEventRecord,
  genesisHash,
  hashAuditEvent,
  toAuditJson,
} from './audit-chain.ts';

/** A chain of `length` correctly linked events, as AuditLogRepository.append would write them. */
function chain(length: number): AuditEventRecord[] {
  const events: AuditEventRecord[] = [];
  for (let index = 0; index < length; index += 1) {
    const unhashed: Omit<AuditEventRecord, 'hash'> = {
      seq: BigInt(index + 1),
      at: new Date(Date.UTC(2026, 0, 1, 12, 0, index)),
      actorType: 'admin',
      actorId: `admin-${index}`,
      actorLabel: 'dana@example.test',
      action: 'client.update',
      targetType: 'clients',
      targetId: `client-${index}`,
      decision: 'allow',
      reason: null,
      requestId: `request-${index}`,
      before: { name: `before ${index}` },
      after: { name: `after ${index}` },
      context: null,
      prevHash: events[index - 1]?.hash ?? genesisHash,
    };
    events.push({ ...unhashed, hash: hashAuditEvent(unhashed) });
  }
  return events;
}

function verify(events: AuditEventRecord[]) {
  const verifier = new AuditChainVerifier();
  for (const event of events) {
    if (!verifier.accept(event)) {
      break;
    }
  }
  return verifier.result();
}

describe('toAuditJson', () => {
  it('should redact every key that names a secret, at any depth and in arrays', () => {
    const json = toAuditJson({
      name: 'Support agent',
      password: 'hunter2hunter2',
      client: { clientSecret: 's3cret', settings: { privateKey: '-----BEGIN', apiKey: 'k' } },
      tokens: [{ accessToken: 'at', refresh_token: 'rt' }],
      credentials: { user: 'u' },
      passwordHash: '$argon2id$v=19$...',
    });

    expect(json).toEqual({
      name: 'Support agent',
      password: '[redacted]',
      client: { clientSecret: '[redacted]', settings: { privateKey: '[redacted]', apiKey: '[redacted]' } },
      tokens: '[redacted]',
      credentials: '[redacted]',
      passwordHash: '[redacted]',
    });
    expect(JSON.stringify(json)).not.toMatch(/hunter2|s3cret|BEGIN|argon2|"at"|"rt"/);
  });

  it('should keep null secrets as null, so "no password set" stays visible', () => {
    expect(toAuditJson({ passwordHash: null, name: 'x' })).toEqual({ passwordHash: null, name: 'x' });
  });

  it('should turn dates into ISO strings and bigints into strings, and drop undefined', () => {
    const json = toAuditJson({
      at: new Date('2026-01-02T03:04:05.678Z'),
      seq: 12345678901234567890n,
      nested: [{ when: new Date(0), gone: undefined }],
      gone: undefined,
    });

    expect(json).toEqual({
      at: '2026-01-02T03:04:05.678Z',
      seq: '12345678901234567890',
      nested: [{ when: '1970-01-01T00:00:00.000Z' }],
    });
  });

  it('should store nothing for an absent value', () => {
    expect(toAuditJson(undefined)).toBeNull();
    expect(toAuditJson(null)).toBeNull();
  });
});

describe('hashAuditEvent', () => {
  it('should not depend on the order of keys inside JSON fields (RFC 8785 canonical form)', () => {
    const [event] = chain(1);
    const reordered = { ...event!, after: { b: 2, a: 1 } };
    const sorted = { ...event!, after: { a: 1, b: 2 } };

    expect(hashAuditEvent(reordered)).toBe(hashAuditEvent(sorted));
  });

  it.each([
    ['reason', { reason: 'tampered' }],
    ['after', { after: { name: 'tampered' } }],
    ['actorId', { actorId: 'someone-else' }],
    ['at', { at: new Date(Date.UTC(2030, 0, 1)) }],
    ['prevHash', { prevHash: 'f'.repeat(64) }],
  ])('should change when %s changes', (_field, change) => {
    const [event] = chain(1);

    expect(hashAuditEvent({ ...event!, ...change })).not.toBe(event!.hash);
  });
});

describe('AuditChainVerifier', () => {
  it('should report an untouched chain intact with its length and head hash', () => {
    const events = chain(5);

    expect(verify(events)).toEqual({ intact: true, checked: 5, lastSeq: '5', headHash: events[4]!.hash });
  });

  it('should report an empty log intact with no last sequence number', () => {
    expect(verify([])).toEqual({ intact: true, checked: 0, lastSeq: null, headHash: genesisHash });
  });

  it('should name the first event whose content was edited after it was written', () => {
    const events = chain(5);
    events[2] = { ...events[2]!, reason: 'tampered' };

    expect(verify(events)).toMatchObject({ intact: false, checked: 2, firstBrokenSeq: '3' });
  });

  it('should detect an edit that also recomputed the edited event’s own hash, at the next link', () => {
    const events = chain(5);
    const forged = { ...events[2]!, reason: 'tampered' };
    events[2] = { ...forged, hash: hashAuditEvent(forged) };

    expect(verify(events)).toMatchObject({ intact: false, firstBrokenSeq: '4' });
  });

  it('should detect an event deleted from the middle', () => {
    const events = chain(5);
    events.splice(1, 1);

    expect(verify(events)).toMatchObject({ intact: false, firstBrokenSeq: '2' });
  });

  it('should detect events swapped in order', () => {
    const events = chain(4);
    [events[1], events[2]] = [events[2]!, events[1]!];

    expect(verify(events)).toMatchObject({ intact: false, firstBrokenSeq: '2' });
  });

  it('should detect a chain that does not start at the genesis hash', () => {
    const events = chain(2);
    const rebased = { ...events[0]!, prevHash: 'a'.repeat(64) };
    events[0] = { ...rebased, hash: hashAuditEvent(rebased) };

    expect(verify(events)).toMatchObject({ intact: false, firstBrokenSeq: '1' });
  });
});
