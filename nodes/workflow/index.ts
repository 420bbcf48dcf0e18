export * from './schema';
export * from './migrate';
export * from './load';
export * from './png-text';
export * from './executable';
export { importComfyUi, isComfyUiFormat } from './comfy/import-ui';
export { importComfyApi, isComfyApiFormat } from './comfy/import-api';
export { toComfyApi, toComfyUi, type ComfyApiPrompt } from './comfy/export';
