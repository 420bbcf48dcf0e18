#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader, so `npx latentloom` works from the repo without a build.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../server/cli/main.ts');
process.exitCode = await main(process.argv);
