/** Why an image was refused; callers map `code` to an HTTP status or a node error, and show `message` as is. */
export type ImageErrorCode = 'unknown-format' | 'corrupt' | 'too-large' | 'unsupported';

/** An image that cannot be probed or decoded. The message says what was found and what was expected. */
export class ImageDecodeError extends Error {
  constructor(
    readonly code: ImageErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ImageDecodeError';
  }
}
