/**
 * @overview The list dialect of ra-data-simple-rest: `sort=["field","ASC"]`, `range=[0,24]`,
 * `filter={"q":"…","status":"active","id":["…"]}`, answered with a JSON array and
 * `Content-Range: <resource> <start>-<end>/<total>`. Every part is checked against the resource's
 * allow-lists before anything reaches the database.
 */
import { z } from 'zod';

import { AdminApiError } from './admin-api.error.ts';
import { fieldErrorsOf, unstorableJson } from './validation.ts';

export const maxPageSize = 500;

export type Where = Record<string, unknown>;

export interface FilterSpec {
  /** Validates the filter value as the client sent it. */
  schema: z.ZodType;
  /** Turns the validated value into a Prisma `where` fragment. */
  where: (value: never) => Where;
}

export interface ListSpec {
  sortable: readonly string[];
  defaultSort: readonly [string, 'ASC' | 'DESC'];
  filters: Record<string, FilterSpec>;
  /** Fields a free-text `q` filter searches, case-insensitively. */
  search: readonly string[];
  /** A unique field that breaks ties, so pages never overlap or skip rows. */
  tiebreaker: string;
}

export interface RawListQuery {
  sort?: unknown;
  range?: unknown;
  filter?: unknown;
}

export interface ParsedListQuery {
  where: Where;
  orderBy: Record<string, 'asc' | 'desc'>[];
  skip: number;
  take: number;
}

function parseJsonParameter(name: string, raw: unknown): unknown {
  if (raw === undefined) {
    return undefined;
  }
  if (typeof raw !== 'string') {
    throw new AdminApiError('bad_request', `The ${name} parameter must be given once, as JSON`);
  }
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new AdminApiError('bad_request', `The ${name} parameter is not valid JSON`);
  }
}

const rangeSchema = z
  .tuple([z.number().int().min(0), z.number().int().min(0)])
  .refine(([start, end]) => end >= start, 'the end must not come before the start')
  .refine(([start, end]) => end - start < maxPageSize, `at most ${maxPageSize} rows per page`);

const sortSchema = z.tuple([z.string().min(1).max(64), z.enum(['ASC', 'DESC', 'asc', 'desc'])]);

export const idsFilter: FilterSpec = {
  schema: z.union([z.uuid(), z.array(z.uuid()).max(maxPageSize)]),
  where: (value: string | string[]) => ({ id: Array.isArray(value) ? { in: value } : value }),
};

/** An exact-match filter on `field`, for ids, enums and booleans. */
export function equals(field: string, schema: z.ZodType): FilterSpec {
  return {
    schema: z.union([schema, z.array(schema).max(maxPageSize)]),
    where: (value: unknown) => ({ [field]: Array.isArray(value) ? { in: value } : value }),
  };
}

/**
 * A point in time for from/to filters, within years 1 to 9999: PostgreSQL refuses what JavaScript
 * dates allow beyond that (year -200000), which would otherwise surface as a 500.
 */
export const instant = z.coerce
  .date({ error: 'must be a date and time' })
  .min(new Date('0001-01-01T00:00:00.000Z'), 'must be a date and time between the years 1 and 9999')
  .max(new Date('9999-12-31T23:59:59.999Z'), 'must be a date and time between the years 1 and 9999');

/** A filter on an array column holding `value`. */
export function contains(field: string, schema: z.ZodType): FilterSpec {
  return { schema, where: (value: unknown) => ({ [field]: { has: value } }) };
}

export function parseListQuery(resource: string, spec: ListSpec, raw: RawListQuery): ParsedListQuery {
  const sortInput = parseJsonParameter('sort', raw.sort) ?? spec.defaultSort;
  const sort = sortSchema.safeParse(sortInput);
  if (!sort.success) {
    throw new AdminApiError('bad_request', 'The sort parameter must look like ["field","ASC"]');
  }
  const [sortField, sortOrder] = sort.data;
  if (!spec.sortable.includes(sortField)) {
    throw new AdminApiError(
      'bad_request',
      `Cannot sort ${resource} by "${sortField}"; sortable fields: ${spec.sortable.join(', ')}`,
    );
  }

  const rangeInput = parseJsonParameter('range', raw.range) ?? [0, 24];
  const range = rangeSchema.safeParse(rangeInput);
  if (!range.success) {
    throw new AdminApiError(
      'bad_request',
      `The range parameter must look like [0,24]: ${range.error.issues[0]?.message ?? 'invalid'}`,
    );
  }
  const [start, end] = range.data;

  const filterInput = parseJsonParameter('filter', raw.filter) ?? {};
  if (typeof filterInput !== 'object' || filterInput === null || Array.isArray(filterInput)) {
    throw new AdminApiError('bad_request', 'The filter parameter must be a JSON object');
  }
  const unstorable = unstorableJson(filterInput);
  if (unstorable) {
    throw new AdminApiError('bad_request', `Invalid filter: filter.${unstorable.field}: ${unstorable.message}`, {
      [`filter.${unstorable.field}`]: unstorable.message,
    });
  }
  const conditions: Where[] = [];
  const problems: Record<string, string> = {};
  for (const [key, value] of Object.entries(filterInput)) {
    if (key === 'q') {
      if (typeof value !== 'string' || value.length > 200) {
        problems['filter.q'] = 'must be text of at most 200 characters';
      } else if (value.trim() !== '' && spec.search.length > 0) {
        conditions.push({ OR: spec.search.map((field) => ({ [field]: { contains: value.trim(), mode: 'insensitive' } })) });
      }
      continue;
    }
    const filter = key === 'id' ? idsFilter : spec.filters[key];
    if (!filter) {
      const known = ['q', 'id', ...Object.keys(spec.filters)].join(', ');
      throw new AdminApiError('bad_request', `Unknown filter "${key}" for ${resource}; known filters: ${known}`);
    }
    const parsed = filter.schema.safeParse(value);
    if (!parsed.success) {
      for (const [field, message] of Object.entries(fieldErrorsOf(parsed.error))) {
        problems[`filter.${key}${field === '(body)' ? '' : `.${field}`}`] = message;
      }
      continue;
    }
    conditions.push(filter.where(parsed.data as never));
  }
  if (Object.keys(problems).length > 0) {
    throw new AdminApiError(
      'bad_request',
      `Invalid filter: ${Object.entries(problems).map(([field, message]) => `${field}: ${message}`).join('; ')}`,
      problems,
    );
  }

  const direction = sortOrder.toLowerCase() as 'asc' | 'desc';
  const orderBy = [{ [sortField]: direction }];
  if (spec.tiebreaker !== sortField) {
    orderBy.push({ [spec.tiebreaker]: direction });
  }
  return { where: conditions.length ? { AND: conditions } : {}, orderBy, skip: start, take: end - start + 1 };
}

export function contentRange(resource: string, skip: number, count: number, total: number): string {
  return count === 0 ? `${resource} */${total}` : `${resource} ${skip}-${skip + count - 1}/${total}`;
}
