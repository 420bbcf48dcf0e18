/** A LoRA whose module does not fit the model's tensor (usually a LoRA trained for another base family). */
export class LoraShapeError extends Error {
  constructor(
    readonly lora: string,
    readonly module: string,
    readonly tensor: string,
    readonly expected: readonly number[],
    readonly got: readonly number[],
  ) {
    super(
      `LoRA "${lora}" does not fit this model: ${module} -> ${tensor} needs [${expected.join(', ')}] but the LoRA gives [${got.join(', ')}] (a LoRA for another base model family?)`,
    );
    this.name = 'LoraShapeError';
  }
}

/** A LoRA none of whose modules land on the model. */
export class LoraNoMatchError extends Error {
  constructor(
    readonly lora: string,
    detail: string,
  ) {
    super(`LoRA "${lora}" patches nothing: ${detail}`);
    this.name = 'LoraNoMatchError';
  }
}
