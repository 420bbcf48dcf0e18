// Loads the TypeScript prepare worker through tsx whatever started the parent (tsx, vitest, plain node).
import { register } from 'tsx/esm/api';

register();
await import('./prepare-worker.ts');
