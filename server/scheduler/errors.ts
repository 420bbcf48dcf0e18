/** Validation error codes: one per kind of problem a person can fix. */
export const VALIDATION_CODES = [
  'MISSING_INPUT',
  'TYPE_MISMATCH',
  'VALUE_OUT_OF_RANGE',
  'INVALID_OPTION',
  'INVALID_VALUE',
  'MODEL_NOT_FOUND',
  'FILE_NOT_FOUND',
  'INVALID_WORKFLOW',
  'CYCLE',
  'UNKNOWN_NODE_TYPE',
  'NO_OUTPUT_NODE',
  'BAD_LINK',
] as const;
export type ValidationCode = (typeof VALIDATION_CODES)[number];

export interface ValidationError {
  code: ValidationCode;
  /** null for graph-wide problems (NO_OUTPUT_NODE) */
  nodeId: string | null;
  /** the input or parameter name at fault */
  input?: string;
  message: string;
  /** MODEL_NOT_FOUND: closest existing names */
  suggestions?: string[];
}

export class WorkflowInvalidError extends Error {
  constructor(readonly errors: ValidationError[]) {
    super(`Workflow is invalid:\n${errors.map(formatValidationError).join('\n')}`);
    this.name = 'WorkflowInvalidError';
  }
}

export function formatValidationError(e: ValidationError): string {
  const where = e.nodeId === null ? '' : `[${e.nodeId}${e.input ? `.${e.input}` : ''}] `;
  return `${e.code} ${where}${e.message}`;
}
