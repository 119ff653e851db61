/**
 * @overview SCIM `filter` (RFC 7644 §3.4.2.2) to a database query. scimmy parses the expression into
 * its disjunctive normal form (an array of alternatives, each an object of attribute comparisons);
 * this turns the comparisons identity providers send when they look a resource up (`userName eq`,
 * `externalId eq`, `displayName eq`, `members[value eq]`, `emails[value eq]`, `active eq`, `id eq`, and
 * `pr`) into Prisma conditions. Anything else is refused with `invalidFilter`, never ignored: a
 * filter that matched more than was asked for could link the IdP's record to the wrong user.
 */
import SCIMMY from 'scimmy';

import { scimError } from './scim.error.ts';

export type Where = Record<string, unknown>;

/** How one filterable attribute (or sub-attribute, `members.value`) becomes a condition. */
export interface FilterableAttribute {
  /** The condition for `eq value`; null when the value cannot match anything (a malformed id). */
  eq(value: unknown): Where | null;
  /** The condition for `pr` (the attribute has a value). */
  pr: Where;
}

const nothing: Where = { id: { in: [] } };

/**
 * The condition `filter` names over `attributes` (keyed by lower-case path: `username`, `members.value`).
 * @throws a SCIM 400 `invalidFilter` for a malformed filter, an attribute not in `attributes` or an operator other than `eq` and `pr`
 */
export function whereOfFilter(filter: string, attributes: Readonly<Record<string, FilterableAttribute>>): Where {
  let parsed: unknown[];
  try {
    parsed = [...new SCIMMY.Types.Filter(filter)];
  } catch (error) {
    throw scimError(400, 'invalidFilter', error instanceof Error ? error.message : 'The filter cannot be parsed');
  }
  return { OR: parsed.map((alternative) => ({ AND: comparisons(alternative, '').map(([path, expression]) => condition(path, expression, attributes)) })) };
}

function comparisons(node: unknown, prefix: string): [string, unknown[]][] {
  if (node === null || typeof node !== 'object') {
    throw scimError(400, 'invalidFilter', 'The filter cannot be parsed');
  }
  return Object.entries(node).flatMap(([key, value]): [string, unknown[]][] => {
    const path = `${prefix}${key.toLowerCase()}`;
    return Array.isArray(value) ? [[path, value]] : comparisons(value, `${path}.`);
  });
}

function condition(path: string, expression: unknown[], attributes: Readonly<Record<string, FilterableAttribute>>): Where {
  // A sub-attribute-less path on a multi-valued attribute compares its `value` (RFC 7644 §3.4.2.2).
  const attribute = attributes[path] ?? attributes[`${path}.value`];
  if (attribute === undefined) {
    throw scimError(400, 'invalidFilter', `Filtering on "${path}" is not supported`);
  }
  const [operator, value] = expression;
  if (operator === 'eq' && expression.length === 2) {
    return attribute.eq(value) ?? nothing;
  }
  if (operator === 'pr' && expression.length === 1) {
    return attribute.pr;
  }
  throw scimError(400, 'invalidFilter', `Only the "eq" and "pr" operators are supported (got "${expression.slice(0, -1).join(' ')}" on "${path}")`);
}
