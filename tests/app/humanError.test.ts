import { describe, expect, it } from 'vitest';
import { describeFailure } from '@/app/lib/humanError';

// messages as onnxruntime-node 1.30 words them (captured from real sessions), behind the scheduler's "<title> failed: " prefix
const MATMUL =
  "KSampler failed: Non-zero status code returned while running MatMul node. Name:'MatMul_0' Status Message: matmul_helper.h:59 Compute MatMul dimension mismatch";
const BROADCAST =
  "KSampler failed: Non-zero status code returned while running Add node. Name:'Add_0' Status Message: …/element_wise_ops.h:563 void onnxruntime::BroadcastIterator::Init(ptrdiff_t, ptrdiff_t) axis == 1 || axis == largest was false. Attempting to broadcast an axis by a dimension other than 1. 2 by 3";
const OOM =
  "VAE Decode failed: Non-zero status code returned while running Conv node. Name:'/decoder/conv_in/Conv' Status Message: Failed to allocate memory for requested buffer of size 4294967296";
const LOAD =
  'Load Checkpoint failed: unet: onnxruntime could not create a session on cpu: Node (MatMul_0) Op (MatMul) [ShapeInferenceError] Incompatible dimensions for matrix multiplication';

describe('failures in plain words', () => {
  it('turns onnxruntime messages into one line and keeps the original as the detail', () => {
    for (const m of [MATMUL, BROADCAST]) {
      const f = describeFailure(m);
      expect(f.summary).toMatch(/^KSampler: The model received tensors whose shapes do not fit together/);
      expect(f.detail).toBe(m);
    }
    expect(describeFailure(OOM).summary).toMatch(/^VAE Decode: Ran out of memory/);
    expect(describeFailure(LOAD).summary).toMatch(/^Load Checkpoint: The inference engine could not load this model/);
    expect(describeFailure("x failed: Non-zero status code returned while running Softmax node. Name:'s' Status Message: weird").summary).toBe(
      'x: The inference engine (onnxruntime) failed while running the model.',
    );
  });

  it('names the server log reference of an internal error', () => {
    expect(describeFailure('Internal error (ref 1a2b3c4d; details are in the server log).')).toEqual({
      summary: 'Something went wrong inside the server (reference 1a2b3c4d); the server log has the details.',
      detail: 'Internal error (ref 1a2b3c4d; details are in the server log).',
    });
  });

  it('leaves plain messages alone', () => {
    const plain = 'Load Checkpoint failed: no file "x.safetensors" in models/checkpoints';
    expect(describeFailure(plain)).toEqual({ summary: plain });
  });
});
