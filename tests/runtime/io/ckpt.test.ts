import { afterAll, describe, expect, it } from 'vitest';
import { readdirSync, writeFileSync } from 'node:fs';
import { openCheckpointFile } from '@/server/runtime/io/checkpoint-file';
import { CheckpointFormatError, UnsafePickleError } from '@/server/runtime/io/ckpt/errors';
import { unpickle } from '@/server/runtime/io/ckpt/pickle';
import { openSafetensors } from '@/server/runtime/io/safetensors';
import { toFloat32 } from '@/server/runtime/io/dtype';
import { describeGolden, golden } from '../../helpers/golden';
import { rawSafetensors as writeRawBytes, scratchDir } from './st-fixtures';
import { op, storedZip, tensorPickle } from './ckpt-fixtures';

const tmp = scratchDir('ckpt');
afterAll(() => tmp.cleanup());
const pwned = () => readdirSync('/tmp').filter((n) => n.startsWith('latentloom_pwned_s_'));

async function failure(p: Promise<unknown>): Promise<Error> {
  return p.then(
    () => {
      throw new Error('expected a refusal');
    },
    (e: unknown) => e as Error,
  );
}

describeGolden('golden .ckpt files', () => {
  it('tiny-sd1.ckpt holds exactly the tensors of model.safetensors, bit for bit', async () => {
    const ckpt = await openCheckpointFile(golden('ckpt', 'tiny-sd1.ckpt'));
    const st = await openSafetensors(golden('tiny-sd1', 'model.safetensors'));
    expect(ckpt.format).toBe('ckpt');
    expect([...ckpt.tensors.keys()].sort()).toEqual([...st.tensors.keys()].sort());
    expect(ckpt.extras).toEqual({ global_step: 470000, epoch: 12 });
    for (const [name, ref] of st.tensors) {
      const t = ckpt.tensors.get(name)!;
      expect(t.dtype, name).toBe(ref.dtype);
      expect(t.shape, name).toEqual(ref.shape);
      expect(t.file, name).toBeDefined();
      expect(Buffer.from(await t.read()).equals(await ref.read()), name).toBe(true);
    }
  });

  it('tiny-sd1-training.ckpt loads the weights and reports the training extras', async () => {
    const c = await openCheckpointFile(golden('ckpt', 'tiny-sd1-training.ckpt'));
    expect(c.tensors.size).toBe(725);
    expect(c.extras.global_step).toBe(470000);
    expect(c.extras.loss_scale).toBe(65536);
    expect(c.extras.seen_images).toBe(123456);
    expect(c.extras.optimizer_states).toMatchObject({ kind: 'list', items: 1 });
    expect((c.extras.optimizer_states as { tensors: number }).tensors).toBeGreaterThan(0);
    expect(c.extras.callbacks).toMatchObject({ kind: 'dict', items: 1 });
    expect(c.extras.lr_schedulers).toMatchObject({ kind: 'list' });
  });

  it.each(['malicious-eval.ckpt', 'malicious-exec.ckpt', 'malicious-os-system.ckpt', 'malicious-subprocess.ckpt'])(
    'refuses %s naming the global, running nothing',
    async (name) => {
      const before = pwned();
      const e = await failure(openCheckpointFile(golden('ckpt', name)));
      expect(e).toBeInstanceOf(UnsafePickleError);
      const expected = {
        'malicious-eval.ckpt': 'eval',
        'malicious-exec.ckpt': 'exec',
        'malicious-os-system.ckpt': 'system',
        'malicious-subprocess.ckpt': 'call',
      }[name]!;
      expect((e as UnsafePickleError).global.endsWith(`.${expected}`)).toBe(true);
      expect(e.message).toContain(`refused unsafe global`);
      expect(e.message).toContain(name);
      expect(pwned()).toEqual(before);
    },
  );

  it('explains the legacy (pre-zip) torch format', async () => {
    const e = await failure(openCheckpointFile(golden('ckpt', 'legacy-format.pt')));
    expect(e).toBeInstanceOf(CheckpointFormatError);
    expect(e.message).toMatch(/legacy PyTorch serialization is not supported; convert it .*\.safetensors/);
  });

  it('detects the format by content, not by extension', async () => {
    const { readFileSync } = await import('node:fs');
    const renamed = tmp.file('actually-safetensors.ckpt');
    writeFileSync(renamed, readFileSync(golden('tiny-sd1', 'model.safetensors')));
    expect((await openCheckpointFile(renamed)).format).toBe('safetensors');
  });
});

const floats = (xs: number[]) => new Uint8Array(new Float32Array(xs).buffer);

describe('synthetic torch archives', () => {
  const write = (name: string, members: [string, Uint8Array][], zip64 = false) => {
    const p = tmp.file(name);
    writeFileSync(p, storedZip(members, zip64));
    return p;
  };

  it('reads contiguous, offset and transposed (strided) tensors, with ZIP64 records', async () => {
    for (const zip64 of [false, true]) {
      const pkl = tensorPickle([
        { name: 'a', storage: 'FloatStorage', key: '0', numel: 6, offset: 0, shape: [2, 3], stride: [3, 1] },
        { name: 'tail', storage: 'FloatStorage', key: '0', numel: 6, offset: 4, shape: [2], stride: [1] },
        { name: 't', storage: 'FloatStorage', key: '0', numel: 6, offset: 0, shape: [3, 2], stride: [1, 3] },
        { name: 'scalar', storage: 'FloatStorage', key: '0', numel: 6, offset: 5, shape: [], stride: [] },
      ]);
      const p = write(
        `strided-${zip64}.ckpt`,
        [
          ['arc/data.pkl', pkl],
          ['arc/data/0', floats([0, 1, 2, 3, 4, 5])],
          ['arc/version', Buffer.from('3\n')],
        ],
        zip64,
      );
      const c = await openCheckpointFile(p);
      const values = async (n: string) => Array.from(toFloat32(await c.tensors.get(n)!.read(), 'F32'));
      expect(await values('a')).toEqual([0, 1, 2, 3, 4, 5]);
      expect(await values('tail')).toEqual([4, 5]);
      expect(c.tensors.get('tail')!.file!.length).toBe(8);
      expect(await values('t')).toEqual([0, 3, 1, 4, 2, 5]);
      expect(c.tensors.get('t')!.file).toBeUndefined();
      expect(await values('scalar')).toEqual([5]);
    }
  });

  it('refuses a view that reaches past its storage', async () => {
    const pkl = tensorPickle([{ name: 'big', storage: 'FloatStorage', key: '0', numel: 2, offset: 1, shape: [2], stride: [1] }]);
    const p = write('oob.ckpt', [
      ['x/data.pkl', pkl],
      ['x/data/0', floats([1, 2])],
    ]);
    await expect(openCheckpointFile(p).then((c) => c.tensors.get('big'))).rejects.toThrow(/tensor "big": view reaches element 2/);
  });

  it('sends a safetensors file with a truncated header to the safetensors reader', async () => {
    const p = tmp.file('cut-header.ckpt');
    writeFileSync(p, writeRawBytes('{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]}}').subarray(0, 30));
    await expect(openCheckpointFile(p)).rejects.toThrow(/header length 53 runs past the end/);
  });

  it('accepts a little-endian byteorder record and refuses big-endian storages', async () => {
    const pkl = tensorPickle([{ name: 'w', storage: 'FloatStorage', key: '0', numel: 1, offset: 0, shape: [1], stride: [1] }]);
    const little = write('little.ckpt', [
      ['x/data.pkl', pkl],
      ['x/byteorder', Buffer.from('little')],
      ['x/data/0', floats([2])],
    ]);
    expect((await openCheckpointFile(little)).tensors.size).toBe(1);
    const big = write('big.ckpt', [
      ['x/data.pkl', pkl],
      ['x/byteorder', Buffer.from('big')],
      ['x/data/0', floats([2])],
    ]);
    await expect(openCheckpointFile(big)).rejects.toThrow(/storages are big-endian/);
  });

  it('refuses a missing storage member', async () => {
    const pkl = tensorPickle([{ name: 'w', storage: 'HalfStorage', key: '7', numel: 1, offset: 0, shape: [1], stride: [1] }]);
    const p = write('missing.ckpt', [['x/data.pkl', pkl]]);
    await expect(openCheckpointFile(p)).rejects.toThrow(/tensor "w": storage data\/7 is missing/);
  });

  it('refuses compressed members and truncated archives', async () => {
    const good = storedZip([['x/data.pkl', tensorPickle([])]]);
    const cut = tmp.file('cut.ckpt');
    writeFileSync(cut, good.subarray(0, good.length - 10));
    await expect(openCheckpointFile(cut)).rejects.toBeInstanceOf(CheckpointFormatError);
    const deflated = Buffer.from(good);
    const cdAt = deflated.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]));
    deflated.writeUInt16LE(8, cdAt + 10);
    const d = tmp.file('deflated.ckpt');
    writeFileSync(d, deflated);
    await expect(openCheckpointFile(d)).rejects.toThrow(/compressed \(method 8\)/);
  });
});

describe('restricted unpickler', () => {
  const run = (...parts: Buffer[]) => unpickle(Buffer.concat([op.proto(), ...parts, op.stop()]), 'test.pkl');

  it('refuses STACK_GLOBAL names too, before REDUCE', () => {
    expect(() => run(op.str('os'), op.str('system'), op.stackGlobal(), op.str('touch x'), op.tuple1(), op.reduce())).toThrow(UnsafePickleError);
    expect(() => run(op.str('os'), op.str('system'), op.stackGlobal())).toThrow(/refused unsafe global os\.system/);
  });
  it('refuses torch.storage._load_from_bytes and non-allowlisted torch functions', () => {
    expect(() => run(op.global('torch.storage', '_load_from_bytes'))).toThrow(UnsafePickleError);
    expect(() => run(op.global('torch', 'load'))).toThrow(/torch\.load/);
    expect(() => run(op.global('builtins', 'getattr'))).toThrow(UnsafePickleError);
  });
  it('refuses arguments to OrderedDict and unknown opcodes, and truncated data', () => {
    expect(() => run(op.global('collections', 'OrderedDict'), op.mark(), op.int(1), op.tuple(), op.reduce())).toThrow(CheckpointFormatError);
    expect(() => unpickle(Buffer.from([0x80, 2, 0x69]), 't')).toThrow(/unsupported opcode 0x69/);
    expect(() => unpickle(Buffer.from([0x80, 2, 0x58, 9, 0, 0, 0, 0x61]), 't')).toThrow(/unexpected end/);
    expect(() => unpickle(Buffer.from([0x80, 2]), 't')).toThrow(/unexpected end/);
  });
  it('builds plain data', () => {
    const v = run(op.emptyDict(), op.mark(), op.str('k'), op.int(-5), op.str('n'), op.none(), op.setitems());
    expect(v).toEqual(
      new Map<string, unknown>([
        ['k', -5],
        ['n', null],
      ]),
    );
  });
});
