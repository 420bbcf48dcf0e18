/**
 * Typed store failures the HTTP layer maps to a status: a full disk is 507 (retry later, nothing was
 * accepted), an unreachable database 503. Everything else stays a programming error.
 */

export class StoreFullError extends Error {
  constructor(detail: string, options?: { cause?: unknown }) {
    super(`Out of disk space for the job store (${detail}): new work is refused until space is freed; nothing accepted is lost.`, options);
    this.name = 'StoreFullError';
  }
}

export class StoreUnavailableError extends Error {
  constructor(detail: string, options?: { cause?: unknown }) {
    super(`The job store is unavailable (${detail}); retry shortly.`, options);
    this.name = 'StoreUnavailableError';
  }
}

const errCode = (e: unknown): string | undefined => {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
};

// PostgreSQL SQLSTATEs and socket errors that mean "the server went away", not "the query is wrong"
const PG_GONE = new Set(['57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006', '53300']);
const SOCKET_GONE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTCONN', 'EHOSTUNREACH', 'ENETUNREACH']);

/** Wraps an error from a driver into StoreFullError / StoreUnavailableError when it is one of those. */
export function classifyStoreError(e: unknown): unknown {
  if (e instanceof StoreFullError || e instanceof StoreUnavailableError) return e;
  const code = errCode(e);
  const message = e instanceof Error ? e.message : String(e);
  // SQLite reports ENOSPC on its files as SQLITE_FULL; PostgreSQL as SQLSTATE 53100
  if (code === 'SQLITE_FULL' || code === 'ENOSPC' || code === '53100') return new StoreFullError(message, { cause: e });
  if (
    (code && (PG_GONE.has(code) || SOCKET_GONE.has(code))) ||
    /Connection terminated|connection timeout|Client has encountered a connection error|not queryable/i.test(message)
  ) {
    return new StoreUnavailableError(message, { cause: e });
  }
  return e;
}

/** true for failures worth retrying later (disk full, database down) */
export function isTransientStoreError(e: unknown): boolean {
  const c = classifyStoreError(e);
  return c instanceof StoreFullError || c instanceof StoreUnavailableError;
}
