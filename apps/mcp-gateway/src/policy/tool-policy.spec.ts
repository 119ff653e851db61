import { rewriteMessages } from '../json-rpc/json-rpc.ts';
import { decideToolCall, visibleTools } from './tool-policy.ts';

const toolScopes = { search: 'tickets.read', close: 'tickets.write' };

describe('tool policy', () => {
  it('should allow a mapped tool whose scope is granted, and name the missing scope otherwise', () => {
    expect(decideToolCall(toolScopes, ['tickets.read'], 'search')).toEqual({ allowed: true, scope: 'tickets.read' });
    expect(decideToolCall(toolScopes, ['tickets.read'], 'close')).toEqual({ allowed: false, scope: 'tickets.write', reason: 'Tool "close" needs scope "tickets.write", which the access token does not grant' });
  });

  it('should treat an unmapped tool, or a name from Object.prototype, as unpublished', () => {
    expect(decideToolCall(toolScopes, ['tickets.read', 'tickets.write'], 'purge')).toMatchObject({ allowed: false, reason: 'Tool "purge" is not published through the gateway' });
    expect(decideToolCall(toolScopes, ['tickets.read'], 'constructor')).toMatchObject({ allowed: false });
  });

  it('should list only the allowed tools, in order', () => {
    const tools = [{ name: 'close' }, { name: 'search' }, { name: 'purge' }, { title: 'nameless' }];
    expect(visibleTools(toolScopes, ['tickets.read', 'tickets.write'], tools)).toEqual([{ name: 'close' }, { name: 'search' }]);
    expect(visibleTools(toolScopes, [], tools)).toEqual([]);
  });
});

describe('rewriting an upstream answer', () => {
  const dropTools = (message: { result?: Record<string, unknown> }) => ({ ...message, result: { tools: [] } }) as never;

  it('should rewrite a JSON answer and every data message of an SSE answer, keeping event ids', () => {
    expect(rewriteMessages('{"jsonrpc":"2.0","id":1,"result":{"tools":[{"name":"x"}]}}', 'application/json', dropTools)).toBe('{"jsonrpc":"2.0","id":1,"result":{"tools":[]}}');
    const sse = 'event: message\nid: 7\ndata: {"jsonrpc":"2.0","id":1,"result":{"tools":[{"name":"x"}]}}\n\n';
    expect(rewriteMessages(sse, 'text/event-stream', dropTools)).toBe('event: message\nid: 7\ndata: {"jsonrpc":"2.0","id":1,"result":{"tools":[]}}\n\n');
  });

  it('should keep what is not JSON as it is', () => {
    expect(rewriteMessages('not json', 'application/json', dropTools)).toBe('not json');
  });
});
