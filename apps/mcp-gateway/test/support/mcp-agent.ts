/** An agent of the gateway's e2e specs: its access token through the XAA chain, and the MCP client SDK on the gateway. */
import { createHash } from 'node:crypto';

import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import canonicalize from 'canonicalize';

import type { PrismaClient } from '@crossgate/store';

// eslint-disable-next-line @nx/enforce-module-boundaries -- test support kept out of the @crossgate/testing index so other suites do not load oidc-provider and the MCP SDK
import type { LocalOidcProvider } from '../../../../libs/testing/src/oidc-provider.ts';
// eslint-disable-next-line @nx/enforce-module-boundaries -- as above
import { accessTokenThroughChain, type ChainSetup } from '../../../../libs/testing/src/xaa-chain.ts';

/** The SHA-256 of the canonical JSON (RFC 8785) of a call's arguments, as the audit names them. */
export const sha256 = (value: unknown) => createHash('sha256').update(canonicalize(value)!).digest('hex');

/** The text parts of a tool result, one per line. */
export const textOf = (result: unknown) => ((result as { content?: { text?: string }[] }).content ?? []).map((part) => part.text).join('\n');

/** The agent's access token for the gateway-fronted `resource` (IdP sign-in, token exchange, redemption) and its user's id. */
export async function agentToken(chain: { setup: ChainSetup; provider: LocalOidcProvider; prisma: PrismaClient; resource: string }, sub: string): Promise<{ token: string; userId: string }> {
  const token = await accessTokenThroughChain(chain.setup, chain.provider, sub, { resource: chain.resource, scope: 'notes.read notes.write' });
  const user = await chain.prisma.user.findFirstOrThrow({ where: { subject: sub } });
  return { token, userId: user.id };
}

/** An MCP client connected to the gateway at `resource` with the bearer `token`. */
export async function connectAgent(resource: string, token: string, name: string): Promise<Client> {
  const client = new Client({ name, version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(resource), { requestInit: { headers: { authorization: `Bearer ${token}` } } }));
  return client;
}
