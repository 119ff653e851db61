/**
 * Turns the database's refusals into a closed set of store errors, so the API can answer 409 or 404
 * with a clear message instead of leaking a driver error.
 */
import { Prisma } from '../generated/prisma/client.ts';

export type StoreErrorCode = 'unique_violation' | 'reference_violation' | 'not_found';

export class StoreError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    message: string,
    /** The columns involved, when the database names them. */
    readonly fields: string[] = [],
  ) {
    super(message);
    this.name = 'StoreError';
  }
}

interface AdapterCause {
  table?: string;
  constraint?: { fields?: string[]; index?: string };
}

/**
 * The columns a violated constraint covers. Prisma's pg adapter names the constraint
 * (`clients_client_id_key`), from which the column part is read and camel-cased (`clientId`).
 */
function targetFields(error: Prisma.PrismaClientKnownRequestError): string[] {
  const meta = (error.meta ?? {}) as { target?: unknown; driverAdapterError?: { cause?: AdapterCause } };
  if (Array.isArray(meta.target)) {
    return meta.target.map(String);
  }
  const cause = meta.driverAdapterError?.cause;
  if (cause?.constraint?.fields) {
    return cause.constraint.fields;
  }
  const index = cause?.constraint?.index;
  if (!index) {
    return [];
  }
  const columns = index.replace(cause?.table ? new RegExp(`^${cause.table}_`) : /^[a-z]+_/, '').replace(/_(key|fkey|pkey)$/, '');
  return [columns.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase())];
}

/** Rethrows known constraint failures as StoreError; anything else passes through unchanged. */
export function translateDatabaseError(error: unknown): never {
  if (error instanceof Prisma.PrismaClientKnownRequestError) {
    switch (error.code) {
      case 'P2002': {
        const fields = targetFields(error);
        throw new StoreError('unique_violation', `already exists with the same ${fields.join(', ') || 'unique value'}`, fields);
      }
      case 'P2003':
        throw new StoreError('reference_violation', 'refers to a record that does not exist, or is still referenced', targetFields(error));
      case 'P2025':
        throw new StoreError('not_found', 'not found');
    }
  }
  throw error;
}
