import { type AddressClass, checkUrl, classifyAddress, fetchJson, type SafeFetchOptions } from './safe-fetch.ts';
import { failureCode, thrownCode } from '../test-support/failure-code.ts';
import { json, redirect, startTestServer, type TestServer } from '../test-support/http-server.ts';

const loopbackAllowed: SafeFetchOptions = { allowInsecureLoopback: true };

describe('classifyAddress', () => {
  const cases: [string, AddressClass][] = [
    ['93.184.216.34', 'public'],
    ['2606:4700:4700::1111', 'public'],
    ['172.32.0.1', 'public'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['192.168.1.1', 'private'],
    ['fd12:3456::1', 'private'],
    ['127.0.0.1', 'loopback'],
    ['127.255.0.9', 'loopback'],
    ['::1', 'loopback'],
    ['169.254.169.254', 'link_local'],
    ['fe80::1', 'link_local'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['224.0.0.251', 'multicast'],
    ['ff02::1', 'multicast'],
    ['100.64.0.1', 'shared'],
    ['100.127.255.254', 'shared'],
    ['::ffff:10.0.0.1', 'private'],
    ['::ffff:7f00:1', 'loopback'],
    ['64:ff9b::a9fe:a9fe', 'link_local'],
    ['2002:a00:1::', 'private'],
    ['2001:db8::1', 'reserved'],
    ['255.255.255.255', 'reserved'],
    ['fe80::1%eth0', 'reserved'],
    ['not-an-address', 'reserved'],
  ];
  it.each(cases)('should classify %s as %s', (address, expected) => {
    expect(classifyAddress(address)).toBe(expected);
  });
});

describe('checkUrl', () => {
  it('should refuse plain http without the loopback option', () => {
    expect(thrownCode(() => checkUrl('http://127.0.0.1:8080/jwks'))).toBe('url_not_allowed');
  });

  it('should refuse plain http to a non-loopback host even with the loopback option', () => {
    expect(thrownCode(() => checkUrl('http://idp.example.test/jwks', loopbackAllowed))).toBe('url_not_allowed');
  });

  it('should refuse a URL carrying credentials', () => {
    expect(thrownCode(() => checkUrl('https://user:secret@idp.example.test/jwks'))).toBe('url_not_allowed');
  });

  it('should refuse an https URL whose host is a private address literal', () => {
    expect(thrownCode(() => checkUrl('https://10.0.0.7/jwks'))).toBe('address_not_allowed');
  });

  it('should refuse loopback written as a decimal integer', () => {
    expect(thrownCode(() => checkUrl('https://2130706433/jwks'))).toBe('address_not_allowed');
  });

  it('should refuse a bracketed IPv6 link-local literal', () => {
    expect(thrownCode(() => checkUrl('https://[fe80::1]/jwks'))).toBe('address_not_allowed');
  });

  it('should let a private address through when private networks are allowed', () => {
    expect(checkUrl('https://10.0.0.7/jwks', { allowPrivateNetworks: true }).host).toBe('10.0.0.7');
  });

  it('should refuse link-local (cloud metadata) even when private networks are allowed', () => {
    expect(thrownCode(() => checkUrl('https://169.254.169.254/latest/meta-data', { allowPrivateNetworks: true }))).toBe('address_not_allowed');
  });
});

describe('fetchJson', () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer();
  });
  afterEach(() => server.reset());
  afterAll(() => server.close());

  it('should fetch JSON from loopback http when the loopback option is set', async () => {
    server.on('/doc', json({ hello: 'world' }));
    await expect(fetchJson(server.url('/doc'), loopbackAllowed)).resolves.toEqual({ hello: 'world' });
  });

  it('should refuse loopback http without the loopback option, before sending anything', async () => {
    server.on('/doc', json({ hello: 'world' }));
    expect(await failureCode(fetchJson(server.url('/doc')))).toBe('url_not_allowed');
    expect(server.hits('/doc')).toBe(0);
  });

  it('should refuse a host name that resolves to loopback when loopback is not allowed', async () => {
    server.on('/doc', json({ hello: 'world' }));
    const port = new URL(server.origin).port;
    expect(await failureCode(fetchJson(`https://localhost:${port}/doc`))).toBe('address_not_allowed');
    expect(server.hits('/doc')).toBe(0);
  });

  it('should refuse a host name that resolves to a private address', async () => {
    const resolveHost = () => Promise.resolve([{ address: '10.20.30.40', family: 4 }]);
    expect(await failureCode(fetchJson('https://idp.example.test/jwks', { resolveHost }))).toBe('address_not_allowed');
  });

  it('should refuse a host name whose answer mixes a public and a link-local address', async () => {
    const resolveHost = () =>
      Promise.resolve([
        { address: '93.184.216.34', family: 4 },
        { address: '169.254.169.254', family: 4 },
      ]);
    expect(await failureCode(fetchJson('https://idp.example.test/jwks', { resolveHost }))).toBe('address_not_allowed');
  });

  it('should refuse loopback http when the name resolves to anything but loopback', async () => {
    const resolveHost = () => Promise.resolve([{ address: '93.184.216.34', family: 4 }]);
    expect(await failureCode(fetchJson('http://localhost/jwks', { ...loopbackAllowed, resolveHost }))).toBe('address_not_allowed');
  });

  it('should stop reading a body that grows past the size cap', async () => {
    server.on('/big', (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' }); // no Content-Length: chunked
      response.write('{"keys":[');
      for (let index = 0; index < 64; index += 1) {
        response.write(`{"kty":"EC","pad":"${'x'.repeat(1024)}"},`);
      }
      response.end('{"kty":"EC"}]}');
    });
    expect(await failureCode(fetchJson(server.url('/big'), { ...loopbackAllowed, maxBytes: 16 * 1024 }))).toBe('too_large');
  });

  it('should refuse a body whose announced length exceeds the size cap', async () => {
    server.on('/announced', (_request, response) => {
      // Announces more than the cap but sends a tiny body: only the Content-Length check can catch it.
      response.writeHead(200, { 'content-type': 'application/json', 'content-length': String(300 * 1024) });
      response.write('{}');
    });
    expect(await failureCode(fetchJson(server.url('/announced'), loopbackAllowed))).toBe('too_large');
  });

  it('should give up on a server slower than the timeout', async () => {
    server.on('/slow', (_request, response) => {
      setTimeout(() => response.end('{}'), 2_000).unref();
    });
    const started = Date.now();
    expect(await failureCode(fetchJson(server.url('/slow'), { ...loopbackAllowed, timeoutMs: 200 }))).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('should give up on a server that sends headers and then trickles the body', async () => {
    server.on('/trickle', (_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"keys":');
      setTimeout(() => response.end('[]}'), 2_000).unref();
    });
    expect(await failureCode(fetchJson(server.url('/trickle'), { ...loopbackAllowed, timeoutMs: 200 }))).toBe('timeout');
  });

  it('should refuse a redirect to a private address', async () => {
    server.on('/moved', redirect('https://10.0.0.5/jwks'));
    expect(await failureCode(fetchJson(server.url('/moved'), loopbackAllowed))).toBe('address_not_allowed');
  });

  it('should refuse a redirect to the cloud metadata address', async () => {
    server.on('/moved', redirect('http://169.254.169.254/latest/meta-data/'));
    expect(await failureCode(fetchJson(server.url('/moved'), loopbackAllowed))).toBe('url_not_allowed');
  });

  it('should follow a redirect whose target passes the same checks', async () => {
    server.on('/moved', redirect('/doc'));
    server.on('/doc', json({ moved: true }));
    await expect(fetchJson(server.url('/moved'), loopbackAllowed)).resolves.toEqual({ moved: true });
  });

  it('should refuse more redirects than allowed', async () => {
    server.on('/a', redirect('/b'));
    server.on('/b', redirect('/a'));
    expect(await failureCode(fetchJson(server.url('/a'), { ...loopbackAllowed, maxRedirects: 2 }))).toBe('redirect_refused');
  });

  it('should treat a non-200 answer as a failure', async () => {
    server.on('/missing', json({ error: 'nope' }, 404));
    expect(await failureCode(fetchJson(server.url('/missing'), loopbackAllowed))).toBe('http_status');
  });

  it('should refuse a body that is not JSON', async () => {
    server.on('/html', (_request, response) => response.end('<html>login</html>'));
    expect(await failureCode(fetchJson(server.url('/html'), loopbackAllowed))).toBe('invalid_json');
  });

  it('should report a refused connection as a network error', async () => {
    const closed = await startTestServer();
    const url = closed.url('/doc');
    await closed.close();
    expect(await failureCode(fetchJson(url, loopbackAllowed))).toBe('network_error');
  });
});
