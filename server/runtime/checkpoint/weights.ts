import type { DType, FileRange } from '../io/tensor';

/**
 * What a model builder needs from "the weights": the seam between checkpoint loading, merging,
 * LoRA patching and the ONNX weight binding. Names are canonical LDM names relative to a component
 * (e.g. the UNet provider answers `input_blocks.1.0.in_layers.2.weight`).
 * Merge and LoRA wrap a provider in another provider (patches), never mutating the base.
 */
export interface WeightProvider {
  /** every parameter name this provider can answer */
  names(): string[];
  has(name: string): boolean;
  info(name: string): { dtype: DType; shape: readonly number[] };
  /**
   * The stored bytes as one file range, only when they are the original, unpatched tensor.
   * Lets the runtime point an ONNX initializer straight into the user's file when dtype and layout fit.
   */
  fileRange(name: string): FileRange | undefined;
  /** Values as fp32 after dtype conversion and every patch. */
  float32(name: string): Promise<Float32Array>;
  /** Stable identity of the values (source file hash/offset + patches): key for the on-disk weight cache. */
  identity(name: string): string;
}
