/**
 * @overview Tool-level policy: each published tool needs one scope (the resource's tool → scope
 * map), and the agent's access token grants a set of scopes. A tool absent from the map is not
 * published through the gateway: it is neither listed nor callable (fail closed, so a tool the
 * upstream adds later stays hidden until an admin maps it).
 */

export type ToolDecision = { allowed: true; scope: string } | { allowed: false; reason: string; scope?: string };

export function decideToolCall(toolScopes: Readonly<Record<string, string>>, granted: readonly string[], tool: string): ToolDecision {
  const scope = Object.hasOwn(toolScopes, tool) ? toolScopes[tool] : undefined;
  if (scope === undefined) {
    return { allowed: false, reason: `Tool "${tool}" is not published through the gateway` };
  }
  if (!granted.includes(scope)) {
    return { allowed: false, scope, reason: `Tool "${tool}" needs scope "${scope}", which the access token does not grant` };
  }
  return { allowed: true, scope };
}

/** The tools of a `tools/list` result that the granted scopes allow, in the upstream's order. */
export function visibleTools<T extends { name?: unknown }>(toolScopes: Readonly<Record<string, string>>, granted: readonly string[], tools: readonly T[]): T[] {
  return tools.filter((tool) => typeof tool.name === 'string' && decideToolCall(toolScopes, granted, tool.name).allowed);
}
