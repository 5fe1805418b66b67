/**
 * What an operator sees while it is prepared: its tensors as typed-array
 * views (activations inside the arena, constants copied once into aligned
 * arrays), their quantization, its options, and a way to refuse the model
 * with an error that names the operator.
 */
import { HeadstartError } from '../../errors.ts';
import type { Model, Operator, SubGraph, Tensor, TensorType } from '../model.ts';

export type TensorData = Int8Array | Uint8Array | Int16Array | Int32Array | Float32Array | BigInt64Array;

export interface TensorSlot {
  index: number;
  tensor: Tensor;
  type: TensorType;
  shape: number[];
  /** A view into the arena, or an aligned copy of the constant buffer. */
  data: TensorData;
  isConstant: boolean;
  /** Per-tensor scale and zero point (first entry when per-channel; 0 when not quantized). */
  scale: number;
  zeroPoint: number;
}

/** A prepared operator: runs the kernel over the views it captured. Allocation-free. */
export type PreparedOp = () => void;

export interface OpContext {
  model: Model;
  subgraph: SubGraph;
  opIndex: number;
  op: Operator;
  /** BuiltinOperator name, e.g. 'CONV_2D'. */
  opName: string;
  version: number;
  /** Whether the kernel may use WebAssembly SIMD (LoadOptions.simd). */
  simd: boolean;
  input(position: number): TensorSlot;
  /** undefined when the model omits this optional input (index -1 or absent). */
  optionalInput(position: number): TensorSlot | undefined;
  output(position: number): TensorSlot;
  /** Option field of the builtin options table, or the given default. */
  option<T>(name: string, fallback: T): T;
  /** Throws a HeadstartError naming this operator. */
  fail(message: string): never;
}

export type OpPreparer = (ctx: OpContext) => PreparedOp;

/** A typed-array view of `count` elements of `type` over `buffer` at `byteOffset`. */
export function typedView(type: TensorType, buffer: ArrayBuffer, byteOffset: number, count: number): TensorData {
  switch (type) {
    case 'int8':
      return new Int8Array(buffer, byteOffset, count);
    case 'uint8':
    case 'bool':
      return new Uint8Array(buffer, byteOffset, count);
    case 'int16':
      return new Int16Array(buffer, byteOffset, count);
    case 'int32':
      return new Int32Array(buffer, byteOffset, count);
    case 'float32':
      return new Float32Array(buffer, byteOffset, count);
    case 'int64':
      return new BigInt64Array(buffer, byteOffset, count);
    default:
      throw new HeadstartError('UNSUPPORTED_OPERATOR', `tensors of type ${type} are not supported by the TypeScript interpreter; run this model on the official runtime`);
  }
}

/** Narrows a slot's data to one typed-array kind, or fails naming the operator. */
export function expectType<K extends 'int8' | 'int32' | 'float32' | 'int16' | 'uint8'>(ctx: OpContext, slot: TensorSlot, type: K, role: string): TypedOf<K> {
  if (slot.type !== type) ctx.fail(`${role} tensor ${slot.index} ('${slot.tensor.name}') is ${slot.type}, expected ${type}`);
  return slot.data as TypedOf<K>;
}

export type TypedOf<K> = K extends 'int8'
  ? Int8Array
  : K extends 'uint8'
    ? Uint8Array
    : K extends 'int16'
      ? Int16Array
      : K extends 'int32'
        ? Int32Array
        : Float32Array;

/** Per-channel (or broadcast per-tensor) scales of a tensor, `count` long. */
export function channelScales(ctx: OpContext, slot: TensorSlot, count: number): Float64Array {
  const q = slot.tensor.quantization;
  if (!q || q.scale.length === 0) ctx.fail(`tensor ${slot.index} ('${slot.tensor.name}') has no quantization scale`);
  if (q.scale.length !== 1 && q.scale.length !== count) {
    ctx.fail(`tensor ${slot.index} ('${slot.tensor.name}') has ${q.scale.length} scales, expected 1 or ${count}`);
  }
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) out[i] = q.scale.length === 1 ? q.scale[0]! : q.scale[i]!;
  return out;
}

/** The shape padded on the left with 1s to `rank` dimensions. */
export function extendShape(shape: readonly number[], rank: number): number[] {
  if (shape.length > rank) throw new RangeError(`shape [${shape.join(', ')}] has more than ${rank} dimensions`);
  return [...new Array<number>(rank - shape.length).fill(1), ...shape];
}
