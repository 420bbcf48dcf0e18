import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { register, runCommand } from '../../server/cli/commands/run';
import { latentWorkflow, startServer, type ServerProcess } from './server-process';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loom-cli-'));
const wfFile = path.join(dir, 'wf.json');
fs.writeFileSync(wfFile, JSON.stringify(latentWorkflow()));
let server: ServerProcess | undefined;
afterAll(async () => {
  await server?.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => {
    out.push(String(s));
    return true;
  });
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => {
    err.push(String(s));
    return true;
  });
  return { out, err, restore: () => vi.restoreAllMocks() };
}

describe('latentloom run', () => {
  it('runs in-process with --set and --out, printing written files', async () => {
    const io = capture();
    const code = await runCommand(wfFile, { set: ['latent.width=128', 'save.filename_prefix=cli'], out: path.join(dir, 'out') });
    io.restore();
    expect(code).toBe(0);
    expect(io.out.join('').trim()).toBe(path.join(dir, 'out', 'cli_00001_.latent'));
    expect(io.err.join('')).toContain('done    save');
  });

  it('exits 1 with the validation errors', async () => {
    const io = capture();
    const code = await runCommand(wfFile, { set: ['latent.width=8'], out: path.join(dir, 'out') });
    io.restore();
    expect(code).toBe(1);
    expect(io.err.join('')).toContain('VALUE_OUT_OF_RANGE [latent.width]');
  });

  it('submits to a server with --server and downloads outputs', async () => {
    server = await startServer(path.join(dir, 'srv'));
    const io = capture();
    const code = await runCommand(wfFile, { set: [], server: server.url, out: path.join(dir, 'dl') });
    io.restore();
    expect(code).toBe(0);
    expect(fs.existsSync(io.out.join('').trim())).toBe(true);
  });

  it('registers as a commander subcommand whose failures carry the exit code', async () => {
    const program = new Command().exitOverride();
    register(program);
    expect(program.commands.map((c) => c.name())).toContain('run');
    const io = capture();
    const err = await program.parseAsync(['node', 'latentloom', 'run', wfFile, '--set', 'latent.width=8']).catch((e: unknown) => e);
    io.restore();
    expect(err).toMatchObject({ exitCode: 1 });
  });
});
