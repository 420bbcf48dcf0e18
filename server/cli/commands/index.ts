import type { Command } from 'commander';
import { register as convert } from './convert';
import { register as inspect } from './inspect';
import { register as merge } from './merge';
import { register as run } from './run';
import { register as validate } from './validate';
import { register as exportWorkflow } from './export';
import { register as serve } from './serve';
import { register as worker } from './worker';

/** Every subcommand registers itself here; add new ones as one file + one line. */
export const COMMANDS: readonly ((program: Command) => void)[] = [inspect, convert, merge, run, validate, exportWorkflow, serve, worker];
