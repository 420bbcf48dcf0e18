// Loads the TypeScript worker through tsx whatever started the parent (tsx, vitest, plain node).
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
