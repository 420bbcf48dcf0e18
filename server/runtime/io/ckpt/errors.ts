/** A .ckpt/.pt file that cannot be read: bad zip, malformed pickle, unsupported layout. Names the file. */
export class CheckpointFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointFormatError';
  }
}

/** The pickle names a global outside the allowlist. Raised while parsing, before anything could be built from it. */
export class UnsafePickleError extends CheckpointFormatError {
  constructor(
    readonly global: string,
    message: string,
  ) {
    super(message);
    this.name = 'UnsafePickleError';
  }
}
