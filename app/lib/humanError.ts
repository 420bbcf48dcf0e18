/**
 * Failures as a person reads them: onnxruntime's native messages, allocation failures and the server's
 * "internal error" references become one plain line; the original stays available as the detail.
 * Messages that are already plain (validation, missing files) pass through unchanged.
 */
export interface Failure {
  summary: string;
  /** the message as the server sent it, when the summary replaced it */
  detail?: string;
}

interface Rule {
  test: RegExp;
  say: (m: RegExpExecArray) => string;
}

/** First match wins: the more specific causes come first. */
const RULES: readonly Rule[] = [
  {
    test: /failed to allocate|bad_alloc|out of memory|cannot allocate memory|ENOMEM|allocation failed/i,
    say: () => 'Ran out of memory while running the model: try a smaller image size or batch, or close other programs.',
  },
  {
    test: /onnxruntime could not create a session|\[ShapeInferenceError\]|\[ONNXRuntimeError\] : \d+ : (INVALID_GRAPH|INVALID_PROTOBUF|NO_MODEL|MODEL_LOADED)/i,
    say: () => 'The inference engine could not load this model (the file may be damaged or of an unsupported kind).',
  },
  {
    test: /(dimension mismatch|incompatible dimensions|broadcast an axis|invalid (input )?shape|shape mismatch|got invalid dimensions)/i,
    say: () =>
      'The model received tensors whose shapes do not fit together: often a model, LoRA or ControlNet of another family (SD1 vs SDXL), or an image size it cannot take.',
  },
  {
    test: /Non-zero status code returned while running (\w+) node|\[ONNXRuntimeError\]|onnxruntime/i,
    say: () => 'The inference engine (onnxruntime) failed while running the model.',
  },
  {
    test: /Internal error \(ref ([0-9a-f]+)/i,
    say: (m) => `Something went wrong inside the server (reference ${m[1]}); the server log has the details.`,
  },
  {
    test: /worker (thread )?(died|exited|crashed|stopped)|WorkerDiedError/i,
    say: () => 'The worker running this job stopped unexpectedly (possibly out of memory); the job can be queued again.',
  },
];

/** "<Node title> failed: …" keeps its node title in front of the plain line. */
const NODE_PREFIX = /^(.{1,120}?) failed: /;

export function describeFailure(message: string): Failure {
  for (const rule of RULES) {
    const m = rule.test.exec(message);
    if (!m) continue;
    const prefix = NODE_PREFIX.exec(message)?.[1];
    return { summary: prefix ? `${prefix}: ${rule.say(m)}` : rule.say(m), detail: message };
  }
  return { summary: message };
}
