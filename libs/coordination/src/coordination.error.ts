/** Why a {@link Coordination} call failed. */
export type CoordinationErrorCode =
  /** The backend could not be reached or did not answer; the caller must not assume either outcome. */
  | 'unavailable'
  /** The adapter was closed. */
  | 'closed';

export class CoordinationError extends Error {
  constructor(
    readonly code: CoordinationErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'CoordinationError';
  }
}

/** Runs one backend call, turning any failure into a CoordinationError that keeps the cause. */
export async function consulting<T>(backend: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (cause) {
    if (cause instanceof CoordinationError) {
      throw cause;
    }
    throw new CoordinationError('unavailable', `${backend} cannot be consulted: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}
