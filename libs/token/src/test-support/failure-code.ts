/**
 * @overview Helpers that turn an expected failure into its stable `code`, so a spec asserts the
 * code and nothing else. Test support only (excluded from the build).
 */

function codeFrom(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : `${(error as Error | null)?.name ?? 'unknown'}: ${String(error)}`;
}

/** The `code` of the error a promise rejects with; `'resolved'` when it does not reject. */
export async function failureCode(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return codeFrom(error);
  }
  return 'resolved';
}

/** The `code` of the error a function throws; `'returned'` when it does not throw. */
export function thrownCode(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return codeFrom(error);
  }
  return 'returned';
}
