import { crc32 } from 'node:zlib';

/** Minimal STORED zip writer for test archives; `zip64` forces ZIP64 records as torch does for big files. */
export function storedZip(members: [string, Uint8Array][], zip64 = false): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, data] of members) {
    const nameBuf = Buffer.from(name);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(zip64 ? 45 : 20, 4);
    local.writeUInt32LE(crc32(data), 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBuf.length, 26);
    locals.push(local, nameBuf, Buffer.from(data));
    const extra = Buffer.alloc(zip64 ? 28 : 0);
    if (zip64) {
      extra.writeUInt16LE(1, 0);
      extra.writeUInt16LE(24, 2);
      extra.writeBigUInt64LE(BigInt(data.length), 4);
      extra.writeBigUInt64LE(BigInt(data.length), 12);
      extra.writeBigUInt64LE(BigInt(offset), 20);
    }
    const c = Buffer.alloc(46);
    c.writeUInt32LE(0x02014b50, 0);
    c.writeUInt16LE(45, 4);
    c.writeUInt16LE(45, 6);
    c.writeUInt32LE(crc32(data), 16);
    c.writeUInt32LE(zip64 ? 0xffffffff : data.length, 20);
    c.writeUInt32LE(zip64 ? 0xffffffff : data.length, 24);
    c.writeUInt16LE(nameBuf.length, 28);
    c.writeUInt16LE(extra.length, 30);
    c.writeUInt32LE(zip64 ? 0xffffffff : offset, 42);
    centrals.push(c, nameBuf, extra);
    offset += 30 + nameBuf.length + data.length;
  }
  const cd = Buffer.concat(centrals);
  const tail: Buffer[] = [];
  if (zip64) {
    const rec = Buffer.alloc(56);
    rec.writeUInt32LE(0x06064b50, 0);
    rec.writeBigUInt64LE(44n, 4);
    rec.writeBigUInt64LE(BigInt(members.length), 24);
    rec.writeBigUInt64LE(BigInt(members.length), 32);
    rec.writeBigUInt64LE(BigInt(cd.length), 40);
    rec.writeBigUInt64LE(BigInt(offset), 48);
    const loc = Buffer.alloc(20);
    loc.writeUInt32LE(0x07064b50, 0);
    loc.writeBigUInt64LE(BigInt(offset + cd.length), 8);
    loc.writeUInt32LE(1, 16);
    tail.push(rec, loc);
  }
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(zip64 ? 0xffff : members.length, 8);
  eocd.writeUInt16LE(zip64 ? 0xffff : members.length, 10);
  eocd.writeUInt32LE(zip64 ? 0xffffffff : cd.length, 12);
  eocd.writeUInt32LE(zip64 ? 0xffffffff : offset, 16);
  return Buffer.concat([...locals, cd, ...tail, eocd]);
}

/** Protocol-2 pickle opcodes, enough to write the structures torch.save emits. */
export const op = {
  proto: () => Buffer.from([0x80, 2]),
  stop: () => Buffer.from('.'),
  mark: () => Buffer.from('('),
  emptyDict: () => Buffer.from('}'),
  emptyTuple: () => Buffer.from(')'),
  tuple: () => Buffer.from('t'),
  tuple1: () => Buffer.from([0x85]),
  setitems: () => Buffer.from('u'),
  setitem: () => Buffer.from('s'),
  reduce: () => Buffer.from('R'),
  binpersid: () => Buffer.from('Q'),
  newFalse: () => Buffer.from([0x89]),
  none: () => Buffer.from('N'),
  global: (module: string, name: string) => Buffer.from(`c${module}\n${name}\n`),
  stackGlobal: () => Buffer.from([0x93]),
  str: (s: string) => {
    const b = Buffer.from(s);
    const h = Buffer.alloc(5);
    h[0] = 0x58;
    h.writeUInt32LE(b.length, 1);
    return Buffer.concat([h, b]);
  },
  int: (n: number) => {
    const b = Buffer.alloc(5);
    b[0] = 0x4a;
    b.writeInt32LE(n, 1);
    return b;
  },
  ints: (ns: number[]) => Buffer.concat([op.mark(), ...ns.map(op.int), op.tuple()]),
};

/** `{name: tensor}` for each spec, as torch.save writes a state dict (one storage per tensor). */
export function tensorPickle(
  tensors: { name: string; storage: string; key: string; numel: number; offset: number; shape: number[]; stride: number[] }[],
): Buffer {
  const parts: Buffer[] = [op.proto(), op.emptyDict(), op.mark()];
  for (const t of tensors) {
    parts.push(
      op.str(t.name),
      op.global('torch._utils', '_rebuild_tensor_v2'),
      op.mark(),
      op.mark(),
      op.str('storage'),
      op.global('torch', t.storage),
      op.str(t.key),
      op.str('cpu'),
      op.int(t.numel),
      op.tuple(),
      op.binpersid(),
      op.int(t.offset),
      op.ints(t.shape),
      op.ints(t.stride),
      op.newFalse(),
      op.global('collections', 'OrderedDict'),
      op.emptyTuple(),
      op.reduce(),
      op.tuple(),
      op.reduce(),
    );
  }
  parts.push(op.setitems(), op.stop());
  return Buffer.concat(parts);
}
