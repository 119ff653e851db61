/**
 * @overview The demo's MCP tools. Each tool that needs a scope declares it as an SDK scope challenge,
 * so a token without it is refused with HTTP 403 `insufficient_scope` (`scope` names what to ask
 * for) before the tool runs, as the MCP authorization spec's step-up flow expects. Every result
 * names the caller (`sub` and `client_id` from the access token), so the demo shows attribution.
 */
import { McpServer, requireScopes, type ServerContext } from '@modelcontextprotocol/server';
import { z } from 'zod';

import { type Caller, callerOf } from '../access-tokens/access-token.ts';
import { type NotesStore } from './notes.store.ts';

export const notesScopes = { read: 'notes.read', write: 'notes.write' } as const;

function result(caller: Caller, body: Record<string, unknown>) {
  return { content: [{ type: 'text' as const, text: JSON.stringify({ caller, ...body }, null, 2) }] };
}

const caller = (ctx: ServerContext) => callerOf(ctx.http?.authInfo);

/** A fresh server per request (the SDK's stateless serving), over the one process-wide store. */
export function createNotesServer(store: NotesStore): McpServer {
  const server = new McpServer({ name: 'crossgate-demo-mcp', version: '0.1.0' });

  server.registerTool(
    'whoami',
    {
      description: 'Shows who is calling: the user (sub), the agent (client_id) and the granted scopes.',
      annotations: { readOnlyHint: true },
    },
    (ctx) => result(caller(ctx), { scopes: ctx.http?.authInfo?.scopes ?? [] }),
  );

  server.registerTool(
    'notes_list',
    {
      description: `Lists the notes on this server. Needs scope ${notesScopes.read}.`,
      annotations: { readOnlyHint: true },
      scopeChallenge: requireScopes(notesScopes.read),
    },
    (ctx) => result(caller(ctx), { notes: store.list() }),
  );

  server.registerTool(
    'notes_add',
    {
      description: `Adds a note, recorded with its author. Needs scope ${notesScopes.write}.`,
      inputSchema: z.object({ text: z.string().min(1).max(500).describe('The note') }),
      annotations: { readOnlyHint: false, destructiveHint: false },
      scopeChallenge: requireScopes(notesScopes.write),
    },
    ({ text }, ctx) => {
      const author = caller(ctx);
      return result(author, { note: store.add(text, author) });
    },
  );

  return server;
}
