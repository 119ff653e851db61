/**
 * @overview An SSRF-guarded HTTP GET for JSON documents that Crossgate fetches on an administrator's
 * or a remote party's say-so: an IdP's JWKS and its OpenID Provider metadata.
 *
 * Why `node:http(s)` and not the global `fetch`: the address check has to run on the addresses the
 * socket actually connects to. With `fetch`, a `dns.lookup` before the request and the resolution
 * undici does for the connection are two separate answers, and a DNS-rebinding host can give a
 * public address to the first and `169.254.169.254` to the second. A custom undici dispatcher
 * would close that gap too, but Node does not expose undici's `Agent`, so it would mean a new
 * dependency. `http.request({ lookup })` calls our resolver for the connection itself, so the
 * addresses we check are the addresses we use. IP-literal hosts bypass `lookup`; they are checked
 * before the request.
 *
 * @see RFC 8725 §3.10 (never dereference `jku`/`x5u`; only configured URLs are fetched)
 * @see OWASP SSRF Prevention Cheat Sheet
 */
import dns from 'node:dns';
import http from 'node:http';
import https from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';

import { JwksError } from './jwks.error.ts';

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Resolves a host name to every address it has; injectable so tests can play a hostile DNS. */
export type HostResolver = (hostname: string) => Promise<readonly ResolvedAddress[]>;

export interface SafeFetchOptions {
  /**
   * Development and tests only: permit loopback addresses, and plain `http` when the host is
   * `localhost` or a loopback literal (every resolved address must then be loopback). Default false.
   */
  allowInsecureLoopback?: boolean;
  /**
   * Permit RFC 1918, unique-local (fc00::/7) and shared/CGNAT (100.64/10) addresses, for IdPs that
   * live on an internal network. Loopback stays governed by `allowInsecureLoopback`; link-local
   * (cloud metadata), unspecified, multicast and reserved ranges are never permitted. Default false.
   */
  allowPrivateNetworks?: boolean;
  /** Whole-operation deadline, redirects included. Default 3000 ms. */
  timeoutMs?: number;
  /** Body size cap, enforced while streaming. Default 256 KiB. */
  maxBytes?: number;
  /** Redirects followed, each re-checked like the original URL; https → http is always refused. Default 2. */
  maxRedirects?: number;
  /** Default: the system resolver (`dns.lookup` with `all: true`). */
  resolveHost?: HostResolver;
}

export const safeFetchDefaults = {
  allowInsecureLoopback: false,
  allowPrivateNetworks: false,
  timeoutMs: 3_000,
  maxBytes: 256 * 1024,
  maxRedirects: 2,
} as const;

type SafeFetchPolicy = Required<SafeFetchOptions>;

/**
 * The range an address falls in. `shared` is RFC 6598 (carrier-grade NAT); `reserved` covers
 * documentation, benchmarking, future-use and deprecated ranges, and Teredo.
 */
export type AddressClass = 'public' | 'loopback' | 'private' | 'shared' | 'link_local' | 'unspecified' | 'multicast' | 'reserved';

const ipv4Ranges: Record<Exclude<AddressClass, 'public'>, readonly (readonly [string, number])[]> = {
  unspecified: [['0.0.0.0', 8]],
  loopback: [['127.0.0.0', 8]],
  private: [
    ['10.0.0.0', 8],
    ['172.16.0.0', 12],
    ['192.168.0.0', 16],
  ],
  shared: [['100.64.0.0', 10]],
  link_local: [['169.254.0.0', 16]],
  multicast: [['224.0.0.0', 4]],
  reserved: [
    ['192.0.0.0', 24],
    ['192.0.2.0', 24],
    ['198.18.0.0', 15],
    ['198.51.100.0', 24],
    ['203.0.113.0', 24],
    ['240.0.0.0', 4],
  ],
};

const ipv6Ranges: Record<Exclude<AddressClass, 'public'>, readonly (readonly [string, number])[]> = {
  unspecified: [['::', 128]],
  loopback: [['::1', 128]],
  private: [['fc00::', 7]],
  shared: [],
  link_local: [['fe80::', 10]],
  multicast: [['ff00::', 8]],
  reserved: [
    ['::', 96], // IPv4-compatible (deprecated)
    ['100::', 64], // discard-only
    ['2001::', 32], // Teredo: the embedded IPv4 addresses are obfuscated, so refuse it wholesale
    ['2001:db8::', 32],
    ['fec0::', 10], // site-local (deprecated)
  ],
};

// Checked in this order: the more specific ranges come first (`::` before `::/96`).
const classOrder = ['unspecified', 'loopback', 'link_local', 'multicast', 'private', 'shared', 'reserved'] as const;

const blockLists = new Map<Exclude<AddressClass, 'public'>, BlockList>(
  classOrder.map((addressClass) => {
    const list = new BlockList();
    for (const [network, prefix] of ipv4Ranges[addressClass]) {
      list.addSubnet(network, prefix, 'ipv4');
    }
    for (const [network, prefix] of ipv6Ranges[addressClass]) {
      list.addSubnet(network, prefix, 'ipv6');
    }
    return [addressClass, list];
  }),
);

/**
 * Classifies an IP address. IPv6 forms that embed an IPv4 address a router would reach
 * (IPv4-mapped `::ffff:a.b.c.d`, NAT64 `64:ff9b::/96`, 6to4 `2002::/16`) are classified by the
 * embedded address. Anything that does not parse (for example a zone id) is `reserved`.
 */
export function classifyAddress(address: string): AddressClass {
  const family = isIP(address);
  if (family === 4) {
    return classify(address, 'ipv4');
  }
  if (family !== 6) {
    return 'reserved';
  }
  const groups = ipv6Groups(address);
  if (groups === undefined) {
    return 'reserved';
  }
  const embedded = embeddedIpv4(groups);
  return embedded === undefined ? classify(address, 'ipv6') : classify(embedded, 'ipv4');
}

function classify(address: string, type: 'ipv4' | 'ipv6'): AddressClass {
  for (const addressClass of classOrder) {
    if (blockLists.get(addressClass)?.check(address, type)) {
      return addressClass;
    }
  }
  return 'public';
}

/** The eight 16-bit groups of an IPv6 address, or undefined when it does not parse. */
function ipv6Groups(address: string): number[] | undefined {
  let normalized: string;
  try {
    // The WHATWG URL parser canonicalises IPv6 (lower case, dotted quad folded into hex groups).
    normalized = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  } catch {
    return undefined;
  }
  const [head = '', tail] = normalized.split('::');
  const headGroups = head === '' ? [] : head.split(':');
  const tailGroups = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = tail === undefined ? 0 : 8 - headGroups.length - tailGroups.length;
  const groups = [...headGroups, ...Array<string>(zeros).fill('0'), ...tailGroups].map((group) => Number.parseInt(group, 16));
  return groups.length === 8 && groups.every((group) => Number.isInteger(group)) ? groups : undefined;
}

function embeddedIpv4(groups: readonly number[]): string | undefined {
  const [g0, g1, g2, g3, g4, g5, g6 = 0, g7 = 0] = groups;
  const dotted = (high: number, low: number) => `${high >> 8}.${high & 0xff}.${low >> 8}.${low & 0xff}`;
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0xffff) {
    return dotted(g6, g7); // IPv4-mapped
  }
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) {
    return dotted(g6, g7); // NAT64 well-known prefix
  }
  if (g0 === 0x2002 && g1 !== undefined && g2 !== undefined) {
    return dotted(g1, g2); // 6to4
  }
  return undefined;
}

/** Whether the policy lets a connection go to this address. */
export function isAddressAllowed(address: string, options: Pick<SafeFetchOptions, 'allowInsecureLoopback' | 'allowPrivateNetworks'> = {}): boolean {
  const addressClass = classifyAddress(address);
  switch (addressClass) {
    case 'public':
      return true;
    case 'loopback':
      return options.allowInsecureLoopback === true;
    case 'private':
    case 'shared':
      return options.allowPrivateNetworks === true;
    case 'link_local':
    case 'unspecified':
    case 'multicast':
    case 'reserved':
      return false;
  }
}

function isLoopbackHostname(hostname: string): boolean {
  const host = stripBrackets(hostname);
  if (host === 'localhost' || host === 'localhost.') {
    return true;
  }
  return isIP(host) !== 0 && classifyAddress(host) === 'loopback';
}

function stripBrackets(hostname: string): string {
  return hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
}

/**
 * Parses and checks a URL against the policy before anything is sent: absolute, no credentials,
 * https (or loopback http when allowed), and, for an IP-literal host, an allowed address.
 * Host names are checked later, on every address they resolve to.
 */
export function checkUrl(input: string | URL, options: SafeFetchOptions = {}): URL {
  let url: URL;
  try {
    url = new URL(input);
  } catch (cause) {
    throw new JwksError('url_not_allowed', 'Not an absolute URL', { cause });
  }
  if (url.username !== '' || url.password !== '') {
    throw new JwksError('url_not_allowed', 'URLs with credentials are not fetched');
  }
  const insecureAllowed = url.protocol === 'http:' && options.allowInsecureLoopback === true && isLoopbackHostname(url.hostname);
  if (url.protocol !== 'https:' && !insecureAllowed) {
    throw new JwksError('url_not_allowed', `Only https URLs are fetched (got ${url.protocol})`);
  }
  const host = stripBrackets(url.hostname);
  if (isIP(host) !== 0 && !isAddressAllowed(host, options)) {
    throw new JwksError('address_not_allowed', `${host} is a ${classifyAddress(host)} address`);
  }
  return url;
}

const systemResolver: HostResolver = (hostname) => dns.promises.lookup(hostname, { all: true, verbatim: true });

/** A `lookup` for `http.request` that refuses the connection unless every resolved address is allowed. */
function guardedLookup(policy: SafeFetchPolicy, loopbackOnly: boolean): LookupFunction {
  return (hostname, lookupOptions, callback) => {
    policy.resolveHost(hostname).then(
      (resolved) => {
        const wanted = lookupOptions.family === 4 || lookupOptions.family === 6 ? lookupOptions.family : undefined;
        const addresses = resolved.filter((entry) => wanted === undefined || entry.family === wanted);
        const [first] = addresses;
        if (first === undefined) {
          callback(new JwksError('dns_failure', `${hostname} has no usable address`), '', 0);
          return;
        }
        // Every address, not just the first: a mixed answer is how rebinding attacks start.
        const refused = addresses.find(({ address }) => !isAddressAllowed(address, policy) || (loopbackOnly && classifyAddress(address) !== 'loopback'));
        if (refused !== undefined) {
          callback(new JwksError('address_not_allowed', `${hostname} resolves to a ${classifyAddress(refused.address)} address`), '', 0);
          return;
        }
        if (lookupOptions.all === true) {
          callback(null, addresses.map(({ address, family }) => ({ address, family })));
        } else {
          callback(null, first.address, first.family);
        }
      },
      (cause: unknown) => callback(new JwksError('dns_failure', `${hostname} did not resolve`, { cause }), '', 0),
    );
  };
}

/**
 * The guard's `lookup`, for another HTTP client that must keep to the same address policy (a
 * connection's rotation hook, which POSTs). Check the URL with {@link checkUrl} first: IP-literal
 * hosts never reach a `lookup`.
 */
export function safeLookup(url: URL, options: SafeFetchOptions = {}): LookupFunction {
  const policy: SafeFetchPolicy = { ...safeFetchDefaults, resolveHost: systemResolver, ...definedOnly(options) };
  return guardedLookup(policy, url.protocol === 'http:');
}

type Outcome = { kind: 'body'; body: Buffer } | { kind: 'redirect'; location: string };

const redirectStatuses = new Set([301, 302, 303, 307, 308]);

function requestOnce(url: URL, policy: SafeFetchPolicy, signal: AbortSignal): Promise<Outcome> {
  return new Promise<Outcome>((resolve, reject) => {
    let settled = false;
    const fail = (error: unknown) => {
      if (settled) {
        return;
      }
      settled = true;
      if (error instanceof JwksError) {
        reject(error);
      } else if (signal.aborted) {
        reject(new JwksError('timeout', `No complete answer from ${url.host} within ${policy.timeoutMs} ms`));
      } else {
        reject(new JwksError('network_error', `Request to ${url.host} failed`, { cause: error }));
      }
    };
    const transport = url.protocol === 'https:' ? https : http;
    const request = transport.request(url, {
      method: 'GET',
      agent: false,
      signal,
      lookup: guardedLookup(policy, url.protocol === 'http:'),
      headers: { accept: 'application/json, application/jwk-set+json', 'accept-encoding': 'identity', connection: 'close' },
    });
    request.on('error', fail);
    request.on('response', (response) => {
      const status = response.statusCode ?? 0;
      if (redirectStatuses.has(status)) {
        response.destroy();
        const location = response.headers.location;
        if (location === undefined || location === '') {
          fail(new JwksError('redirect_refused', `${status} from ${url.host} without a Location`));
          return;
        }
        settled = true;
        resolve({ kind: 'redirect', location });
        return;
      }
      if (status !== 200) {
        response.destroy();
        fail(new JwksError('http_status', `${url.host} answered ${status}`));
        return;
      }
      const announced = Number(response.headers['content-length']);
      if (Number.isFinite(announced) && announced > policy.maxBytes) {
        response.destroy();
        fail(new JwksError('too_large', `${url.host} announced ${announced} bytes (cap ${policy.maxBytes})`));
        return;
      }
      const chunks: Buffer[] = [];
      let received = 0;
      response.on('data', (chunk: Buffer) => {
        received += chunk.length;
        if (received > policy.maxBytes) {
          response.destroy();
          fail(new JwksError('too_large', `${url.host} sent more than ${policy.maxBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      response.on('error', fail);
      response.on('end', () => {
        if (!settled) {
          settled = true;
          resolve({ kind: 'body', body: Buffer.concat(chunks) });
        }
      });
      response.on('close', () => fail(new JwksError('network_error', `${url.host} closed the connection before the body ended`)));
    });
    request.end();
  });
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * GETs a JSON document through the SSRF guard and returns it parsed (not yet validated).
 * Throws {@link JwksError}.
 */
export async function fetchJson(input: string | URL, options: SafeFetchOptions = {}): Promise<unknown> {
  const policy: SafeFetchPolicy = { ...safeFetchDefaults, resolveHost: systemResolver, ...definedOnly(options) };
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), policy.timeoutMs);
  try {
    let url = checkUrl(input, policy);
    for (let redirects = 0; ; redirects += 1) {
      const outcome = await requestOnce(url, policy, controller.signal);
      if (outcome.kind === 'body') {
        try {
          return JSON.parse(utf8.decode(outcome.body)) as unknown;
        } catch (cause) {
          throw new JwksError('invalid_json', `${url.host} did not answer with UTF-8 JSON`, { cause });
        }
      }
      if (redirects >= policy.maxRedirects) {
        throw new JwksError('redirect_refused', `More than ${policy.maxRedirects} redirects from ${url.host}`);
      }
      let next: URL;
      try {
        next = new URL(outcome.location, url);
      } catch (cause) {
        throw new JwksError('redirect_refused', `Unusable redirect from ${url.host}`, { cause });
      }
      if (url.protocol === 'https:' && next.protocol !== 'https:') {
        throw new JwksError('url_not_allowed', `Redirect from https to ${next.protocol} refused`);
      }
      url = checkUrl(next, policy);
    }
  } finally {
    clearTimeout(timer);
  }
}

function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}
