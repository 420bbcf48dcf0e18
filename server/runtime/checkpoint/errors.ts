/** A checkpoint that reads fine but does not fit a known model family or layout. */
export class CheckpointError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointError';
  }
}
