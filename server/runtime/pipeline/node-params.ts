/** Typed reads of validated node params and linked inputs, with errors naming node and field. */
import fs from 'node:fs';
import path from 'node:path';
import type { RunContext } from '../../../nodes/runner';
import type { ModelFolder } from '../../../nodes/types';
import { modelFolder, safeJoin } from '../../config/paths';
import { parseSeed } from '../../scheduler/params';
import { isSamplerName, SCHEDULER_NAMES, type SamplerName, type SchedulerName } from '../sampling';

export function numberParam(node: string, ctx: RunContext, name: string): number {
  const v = ctx.params[name];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${node}: param "${name}" must be a number, got ${JSON.stringify(v)}.`);
  return v;
}

export function boolParam(node: string, ctx: RunContext, name: string): boolean {
  const v = ctx.params[name];
  if (typeof v !== 'boolean') throw new Error(`${node}: param "${name}" must be true or false, got ${JSON.stringify(v)}.`);
  return v;
}

export function stringParam(node: string, ctx: RunContext, name: string): string {
  const v = ctx.params[name];
  if (typeof v !== 'string') throw new Error(`${node}: param "${name}" must be text, got ${JSON.stringify(v)}.`);
  return v;
}

export function seedParam(node: string, ctx: RunContext, name: string): bigint {
  const s = parseSeed(ctx.params[name]);
  if (s === null) throw new Error(`${node}: param "${name}" is not a seed in 0…2^64−1: ${JSON.stringify(ctx.params[name])}.`);
  return s;
}

export function samplerParams(node: string, ctx: RunContext): { sampler: SamplerName; scheduler: SchedulerName } {
  const sampler = stringParam(node, ctx, 'sampler_name');
  const scheduler = stringParam(node, ctx, 'scheduler');
  if (!isSamplerName(sampler)) throw new Error(`${node}: sampler "${sampler}" is not implemented by the sampling runtime.`);
  if (!(SCHEDULER_NAMES as readonly string[]).includes(scheduler)) throw new Error(`${node}: scheduler "${scheduler}" is not implemented by the sampling runtime.`);
  return { sampler, scheduler: scheduler as SchedulerName };
}

/** A model file named by a param, resolved inside its models folder only. */
export function modelFile(node: string, ctx: RunContext, name: string, folder: ModelFolder): string {
  const file = stringParam(node, ctx, name);
  const base = modelFolder(ctx.paths, folder);
  if (!file) throw new Error(`${node}: no ${folder} file chosen in "${name}".`);
  const full = safeJoin(base, file);
  if (!full) throw new Error(`${node}: "${file}" is outside the ${folder} folder.`);
  if (!fs.existsSync(full)) throw new Error(`${node}: ${folder} file "${file}" not found in ${path.resolve(base)}.`);
  return full;
}
