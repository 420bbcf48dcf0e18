/** URL prefixes the one HTTP server routes on. */
export const TRPC_PREFIX = '/api/trpc';
export const UPLOAD_PREFIX = '/api/inputs/';
export const OUTPUTS_PREFIX = '/outputs/';
