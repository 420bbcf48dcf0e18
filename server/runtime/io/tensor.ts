/**
 * The lazy tensor: every reader (safetensors, safe .ckpt) produces these and every consumer
 * (checkpoint model, merge, LoRA, ONNX weight binding) reads them. Bytes are fetched on demand.
 */
export type DType = 'F64' | 'F32' | 'F16' | 'BF16' | 'I64' | 'I32' | 'I16' | 'I8' | 'U8' | 'BOOL' | 'U16' | 'U32' | 'U64';

export const DTYPE_SIZE: Record<DType, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
  U16: 2,
  U32: 4,
  U64: 8,
};

/** A contiguous little-endian byte range inside a file on disk. */
export interface FileRange {
  readonly path: string;
  /** absolute offset of the first byte in the file */
  readonly offset: number;
  readonly length: number;
}

export interface TensorRef {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  /** Where the raw bytes live, when they are one contiguous range of a file (lets ONNX bind them by reference). */
  readonly file?: FileRange;
  /** Raw little-endian bytes (dtype as stored). */
  read(): Promise<Buffer>;
}

/** Parameter name -> lazy tensor, in the file's own naming. */
export type StateDict = Map<string, TensorRef>;

export function numel(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
