/**
 * Bounds-checked access to a FlatBuffer. The `flatbuffers` package's
 * ByteBuffer trusts every offset it is given; a model file is untrusted
 * input, so the reader goes through this instead. Every offset, vtable and
 * vector length is checked against the file before it is used, and every
 * element decoded is charged to a work budget proportional to the file size,
 * so a file whose tables share or alias each other cannot make decoding
 * take more than linear time and memory.
 *
 * Binary format recap (flatbuffers.dev "internals"): a table starts with an
 * int32 soffset to its vtable (vtable = table - soffset); a vtable is
 * uint16 [vtable size, table size, field offset 0, field offset 1, ...];
 * a field offset of 0 means absent. References (tables, vectors, strings)
 * are uint32 offsets relative to where they are stored. A vector is a uint32
 * element count followed by the elements; a string is a byte vector followed
 * by a NUL.
 */
import { HeadstartError } from '../errors.ts';

export class FlatReader {
  readonly view: DataView;
  readonly text = new TextDecoder();
  private budget: number;

  readonly bytes: Uint8Array;

  constructor(bytes: Uint8Array, budget: number) {
    // A plain Uint8Array view: a Node Buffer's slice() shares memory, and decoded data must be a copy.
    this.bytes = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.budget = budget;
  }

  get length(): number {
    return this.bytes.length;
  }

  /** Charges `units` of decoding work; fails once the file has used up its budget. */
  spend(units: number): void {
    this.budget -= units;
    if (this.budget < 0) {
      throw new HeadstartError(
        'TFLITE_CORRUPT',
        'the model file refers to the same data far more often than a real model does (decoding it would take unbounded time or memory); the file is corrupt or crafted. Re-export the model.',
        { check: 'too-complex' },
      );
    }
  }

  /** Throws unless [pos, pos + size) lies within the file. */
  check(pos: number, size: number, what: string): void {
    if (pos < 0 || !Number.isSafeInteger(pos)) {
      throw new HeadstartError(
        'TFLITE_CORRUPT',
        `the model file is corrupt: ${what} points before the start of the file (offset ${pos}). Re-export or re-copy the model.`,
        { check: 'out-of-bounds', offset: pos },
      );
    }
    if (pos + size > this.bytes.length) {
      throw new HeadstartError(
        'TFLITE_CORRUPT',
        `the model file ends at byte ${this.bytes.length} but its ${what} reaches byte ${pos + size}: the file is truncated or corrupt. Re-copy or re-export the model.`,
        { check: 'truncated', offset: pos, size, fileSize: this.bytes.length },
      );
    }
  }

  u8(pos: number): number {
    return this.view.getUint8(pos);
  }

  /** The position a uint32 reference stored at `pos` points to. */
  deref(pos: number, what: string): number {
    this.check(pos, 4, what);
    const target = pos + this.view.getUint32(pos, true);
    this.check(target, 1, what);
    return target;
  }

  table(pos: number, what: string): FlatTable {
    this.spend(1);
    this.check(pos, 4, what);
    const vtable = pos - this.view.getInt32(pos, true);
    this.check(vtable, 4, `${what} vtable`);
    const vtableSize = this.view.getUint16(vtable, true);
    const tableSize = this.view.getUint16(vtable + 2, true);
    if (vtableSize < 4 || vtableSize % 2 !== 0 || tableSize < 4) {
      throw new HeadstartError(
        'TFLITE_CORRUPT',
        `the model file is corrupt: the ${what} at byte ${pos} has an impossible layout (vtable size ${vtableSize}, table size ${tableSize}). Re-export the model.`,
        { check: 'out-of-bounds', offset: pos },
      );
    }
    this.check(vtable, vtableSize, `${what} vtable`);
    this.check(pos, tableSize, what);
    return new FlatTable(this, pos, vtable, (vtableSize - 4) / 2, tableSize, what);
  }
}

/** A vector's element count and the position of its first element. */
export interface FlatVector {
  start: number;
  length: number;
}

export class FlatTable {
  constructor(
    private readonly r: FlatReader,
    readonly pos: number,
    private readonly vtable: number,
    private readonly fieldCount: number,
    private readonly tableSize: number,
    readonly what: string,
  ) {}

  /** Position of field `id` (checked to hold `size` bytes inside the table), or -1 when absent. */
  private field(id: number, size: number): number {
    if (id >= this.fieldCount) return -1;
    const offset = this.r.view.getUint16(this.vtable + 4 + 2 * id, true);
    if (offset === 0) return -1;
    if (offset + size > this.tableSize) {
      throw new HeadstartError(
        'TFLITE_CORRUPT',
        `the model file is corrupt: field ${id} of the ${this.what} at byte ${this.pos} lies outside its table. Re-export the model.`,
        { check: 'out-of-bounds', offset: this.pos, field: id },
      );
    }
    return this.pos + offset;
  }

  has(id: number): boolean {
    return this.field(id, 0) >= 0;
  }

  uint8(id: number, fallback: number): number {
    const p = this.field(id, 1);
    return p < 0 ? fallback : this.r.view.getUint8(p);
  }

  int8(id: number, fallback: number): number {
    const p = this.field(id, 1);
    return p < 0 ? fallback : this.r.view.getInt8(p);
  }

  bool(id: number, fallback: boolean): boolean {
    const p = this.field(id, 1);
    return p < 0 ? fallback : this.r.view.getUint8(p) !== 0;
  }

  int32(id: number, fallback: number): number {
    const p = this.field(id, 4);
    return p < 0 ? fallback : this.r.view.getInt32(p, true);
  }

  uint32(id: number, fallback: number): number {
    const p = this.field(id, 4);
    return p < 0 ? fallback : this.r.view.getUint32(p, true);
  }

  float32(id: number, fallback: number): number {
    const p = this.field(id, 4);
    return p < 0 ? fallback : this.r.view.getFloat32(p, true);
  }

  /** int64 as a JS number (exact up to 2^53; larger magnitudes are rounded). */
  int64(id: number, fallback: number): number {
    const p = this.field(id, 8);
    return p < 0 ? fallback : Number(this.r.view.getBigInt64(p, true));
  }

  uint64(id: number, fallback: number): number {
    const p = this.field(id, 8);
    return p < 0 ? fallback : Number(this.r.view.getBigUint64(p, true));
  }

  private ref(id: number, name: string): number {
    const p = this.field(id, 4);
    return p < 0 ? -1 : this.r.deref(p, `${this.what}.${name}`);
  }

  table(id: number, name: string): FlatTable | undefined {
    const p = this.ref(id, name);
    return p < 0 ? undefined : this.r.table(p, name);
  }

  /** A vector of `elementSize`-byte elements, its whole extent checked; undefined when absent. */
  vector(id: number, elementSize: number, name: string): FlatVector | undefined {
    const p = this.ref(id, name);
    if (p < 0) return undefined;
    this.r.check(p, 4, `${name} length`);
    const length = this.r.view.getUint32(p, true);
    this.r.check(p + 4, length * elementSize, name);
    return { start: p + 4, length };
  }

  string(id: number, name: string): string | undefined {
    const v = this.vector(id, 1, name);
    if (!v) return undefined;
    this.r.check(v.start, v.length + 1, `${name} terminator`);
    if (this.r.u8(v.start + v.length) !== 0) {
      throw new HeadstartError(
        'TFLITE_CORRUPT',
        `the model file is corrupt: the string ${name} at byte ${v.start} is not NUL-terminated. Re-export the model.`,
        { check: 'string', offset: v.start },
      );
    }
    this.r.spend(1 + (v.length >> 4));
    return this.r.text.decode(this.r.bytes.subarray(v.start, v.start + v.length));
  }

  bytes(id: number, name: string): Uint8Array | undefined {
    const v = this.vector(id, 1, name);
    if (!v) return undefined;
    this.r.spend(1 + (v.length >> 4));
    return this.r.bytes.slice(v.start, v.start + v.length);
  }

  int32s(id: number, name: string): number[] | undefined {
    const v = this.vector(id, 4, name);
    if (!v) return undefined;
    this.r.spend(1 + v.length);
    const out = new Array<number>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = this.r.view.getInt32(v.start + 4 * i, true);
    return out;
  }

  float32s(id: number, name: string): number[] | undefined {
    const v = this.vector(id, 4, name);
    if (!v) return undefined;
    this.r.spend(1 + v.length);
    const out = new Array<number>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = this.r.view.getFloat32(v.start + 4 * i, true);
    return out;
  }

  int64s(id: number, name: string): number[] | undefined {
    const v = this.vector(id, 8, name);
    if (!v) return undefined;
    this.r.spend(1 + v.length);
    const out = new Array<number>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = Number(this.r.view.getBigInt64(v.start + 8 * i, true));
    return out;
  }

  /** A vector of tables; each element is a reference checked before it is followed. */
  tables(id: number, name: string): FlatTable[] {
    const v = this.vector(id, 4, name);
    if (!v) return [];
    this.r.spend(v.length);
    const out = new Array<FlatTable>(v.length);
    for (let i = 0; i < v.length; i++) out[i] = this.r.table(this.r.deref(v.start + 4 * i, `${name}[${i}]`), `${name}[${i}]`);
    return out;
  }

  /** The reader, for fields that live outside the table (external buffers). */
  get reader(): FlatReader {
    return this.r;
  }
}
