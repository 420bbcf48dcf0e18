export type { LoraComponent, LoraReport, LoraSource } from './types';
export { openLora } from './source';
export { applyLoras, type AppliedLoras, type LoraApplication } from './apply';
export { applyLorasToModel, type ModelComponents, type ModelLoraApplication, type ModelLoraReport } from './model';
export { describeLoraSource, type LoraDescription, type LoraFamily } from './describe';
export { LoraNoMatchError, LoraShapeError } from './errors';
