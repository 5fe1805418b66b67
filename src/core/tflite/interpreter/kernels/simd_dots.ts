/**
 * A WebAssembly SIMD routine for the sums of CONV_2D, assembled here byte by
 * byte (no toolchain, no binary file): int8 weights times int8 inputs summed
 * exactly in int32 lanes (i32x4.dot_i16x8_s over sign-extended halves), four
 * output channels at a time. Node has run WebAssembly SIMD since 16.4; where
 * it is missing, `simdDotsAvailable()` is false and CONV_2D keeps its
 * JavaScript kernel.
 *
 * dots(w, x, out, positions, blocks, depth, step), all byte addresses:
 *   for p < positions, for b < blocks, for j < 4:
 *     out[(p * blocks + b) * 4 + j] (int32) = sum over k < depth of
 *       weight(b * 4 + j, k) * x[p * step + k]
 * with the weights laid out [block][depth / 8][4 channels][8] (depth a
 * multiple of 8, zero weights past the real depth) so that each step reads
 * them at fixed offsets.
 */

const I32 = 0x7f;
const V128 = 0x7b;

/** Unsigned LEB128. */
function uleb(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
  return out;
}

function section(id: number, body: number[]): number[] {
  return [id, ...uleb(body.length), ...body];
}

function name(text: string): number[] {
  const bytes = [...new TextEncoder().encode(text)];
  return [...uleb(bytes.length), ...bytes];
}

// Instructions used below (core and SIMD opcodes of the WebAssembly binary format).
const get = (i: number): number[] => [0x20, ...uleb(i)];
const set = (i: number): number[] => [0x21, ...uleb(i)];
const i32Const = (v: number): number[] => [0x41, ...uleb(v)]; // v < 64: its signed LEB128 is the same byte
const ADD = 0x6a;
const MUL = 0x6c;
const GE_U = 0x4f;
const BLOCK = [0x02, 0x40];
const LOOP = [0x03, 0x40];
const END = 0x0b;
const brIf = (depth: number): number[] => [0x0d, depth];
const br = (depth: number): number[] => [0x0c, depth];
const simd = (op: number, ...immediates: number[]): number[] => [0xfd, ...uleb(op), ...immediates];
/** v128.load8x8_s: 8 int8 sign-extended to 8 int16 lanes (memarg: alignment 2^0, offset). */
const load8x8s = (offset: number): number[] => simd(0x01, 0, ...uleb(offset));
const DOT = simd(0xba); // i32x4.dot_i16x8_s
const ADD4 = simd(0xae); // i32x4.add
const extractLane = (lane: number): number[] => simd(0x1b, lane); // i32x4.extract_lane
const ZERO = simd(0x0c, ...new Array<number>(16).fill(0)); // v128.const 0
const store32 = (offset: number): number[] => [0x36, 2, ...uleb(offset)]; // i32.store, alignment 2^2

// Parameters and locals.
const [W, X, OUT, POSITIONS, BLOCKS, DEPTH, STEP] = [0, 1, 2, 3, 4, 5, 6];
const [P, B, K, XROW, WQ, O] = [7, 8, 9, 10, 11, 12];
const ACC = [13, 14, 15, 16];
const XV = 17;

function body(): number[] {
  const lanes = (acc: number): number[] => [...get(acc), ...extractLane(0), ...get(acc), ...extractLane(1), ADD, ...get(acc), ...extractLane(2), ADD, ...get(acc), ...extractLane(3), ADD];
  const step = [
    // xv = x[xrow + k .. + 8]
    ...get(XROW), ...get(K), ADD, ...load8x8s(0), ...set(XV),
    // acc[j] += dot(weights at wq + 8j, xv)
    ...ACC.flatMap((acc, j) => [...get(acc), ...get(WQ), ...load8x8s(8 * j), ...get(XV), ...DOT, ...ADD4, ...set(acc)]),
    ...get(WQ), ...i32Const(32), ADD, ...set(WQ),
    ...get(K), ...i32Const(8), ADD, ...set(K),
  ]; // prettier-ignore
  const channelBlock = [
    ...ACC.flatMap((acc) => [...ZERO, ...set(acc)]),
    ...i32Const(0), ...set(K),
    ...BLOCK, ...LOOP, ...get(K), ...get(DEPTH), GE_U, ...brIf(1), ...step, ...br(0), END, END,
    ...ACC.flatMap((acc, j) => [...get(O), ...lanes(acc), ...store32(4 * j)]),
    ...get(O), ...i32Const(16), ADD, ...set(O),
    ...get(B), ...i32Const(1), ADD, ...set(B),
  ]; // prettier-ignore
  const position = [
    ...get(X), ...get(P), ...get(STEP), MUL, ADD, ...set(XROW),
    ...get(W), ...set(WQ),
    ...i32Const(0), ...set(B),
    ...BLOCK, ...LOOP, ...get(B), ...get(BLOCKS), GE_U, ...brIf(1), ...channelBlock, ...br(0), END, END,
    ...get(P), ...i32Const(1), ADD, ...set(P),
  ]; // prettier-ignore
  const code = [
    ...get(OUT), ...set(O),
    ...i32Const(0), ...set(P),
    ...BLOCK, ...LOOP, ...get(P), ...get(POSITIONS), GE_U, ...brIf(1), ...position, ...br(0), END, END,
    END,
  ]; // prettier-ignore
  const locals = [2, 6, I32, 5, V128]; // two groups: 6 i32, 5 v128
  return [...locals, ...code];
}

/** The module's bytes: imports env.memory, exports dots. */
export function simdDotsModule(): Uint8Array {
  const fn = body();
  const bytes = [
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, 7, I32, I32, I32, I32, I32, I32, I32, 0]),
    ...section(2, [1, ...name('env'), ...name('memory'), 0x02, 0x00, 1]),
    ...section(3, [1, 0]),
    ...section(7, [1, ...name('dots'), 0x00, 0]),
    ...section(10, [1, ...uleb(fn.length), ...fn]),
  ]; // prettier-ignore
  return Uint8Array.from(bytes);
}

export type SimdDots = (w: number, x: number, out: number, positions: number, blocks: number, depth: number, step: number) => void;

/** The part of the WebAssembly API used here (the project's type libraries do not declare it). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}

interface WasmApi {
  Memory: new (descriptor: { initial: number }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  validate(bytes: Uint8Array): boolean;
}

function wasmApi(): WasmApi | undefined {
  return (globalThis as unknown as { WebAssembly?: WasmApi }).WebAssembly;
}

/** Whether this runtime validates the module (WebAssembly with SIMD). */
export function simdDotsAvailable(): boolean {
  const api = wasmApi();
  return api !== undefined && api.validate(simdDotsModule());
}

/** A memory of `bytes` (rounded up to 64 KiB pages) and an instance of the routine over it; undefined without SIMD. */
export function instantiateSimdDots(bytes: number): { memory: WasmMemory; dots: SimdDots } | undefined {
  const api = wasmApi();
  if (!api || !simdDotsAvailable()) return undefined;
  const memory = new api.Memory({ initial: Math.max(1, Math.ceil(bytes / 65536)) });
  const instance = new api.Instance(new api.Module(simdDotsModule()), { env: { memory } });
  return { memory, dots: instance.exports.dots as SimdDots };
}
