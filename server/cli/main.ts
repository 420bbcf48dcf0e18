import { Command, CommanderError } from 'commander';
import { pathToFileURL } from 'node:url';
import { CheckpointError } from '../runtime/checkpoint/errors';
import { isCheckpointReadError } from '../runtime/io/checkpoint-file';
import { COMMANDS } from './commands/index';
import { UsageError } from './errors';
import { WorkflowFormatError } from '../../nodes/workflow/migrate';

export function buildProgram(): Command {
  const program = new Command('latentloom').description('Latent Loom: Stable Diffusion checkpoints and workflows').exitOverride();
  program.configureOutput({ writeErr: (s) => process.stderr.write(s) });
  for (const add of COMMANDS) add(program);
  for (const c of program.commands) c.exitOverride();
  return program;
}

/** Runs the CLI; returns the exit code. Expected failures print one line on stderr, never a stack. */
export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode; // commander already printed its message
    const known =
      e instanceof UsageError || e instanceof WorkflowFormatError || e instanceof CheckpointError || isCheckpointReadError(e) || isFsError(e);
    const message = e instanceof Error ? e.message : String(e);
    process.stderr.write(`latentloom: error: ${oneLine(message)}\n`);
    if (!known && process.env.LOOM_DEBUG) process.stderr.write(`${(e as Error).stack ?? ''}\n`);
    return 1;
  }
}

function isFsError(e: unknown): boolean {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).code === 'string' && typeof (e as NodeJS.ErrnoException).syscall === 'string';
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await main(process.argv);
}
