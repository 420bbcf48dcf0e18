export * from './schema';
export * from './migrate';
export * from './comfy-import';
export * from './load';
export * from './png-text';
