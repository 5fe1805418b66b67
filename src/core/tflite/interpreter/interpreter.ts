/**
 * The TypeScript int8 TensorFlow Lite interpreter. Loading resolves every
 * operator to a kernel, precomputes its multipliers and lookup tables, plans
 * one static arena from tensor lifetimes and places every activation in one
 * ArrayBuffer; `invoke()` then runs the prepared kernels in order and
 * allocates nothing. Kernels are JavaScript, except the sums of 1 x k
 * CONV_2D, which run in a small WebAssembly SIMD routine assembled in
 * TypeScript where the runtime has SIMD (LoadOptions.simd turns it off);
 * every path gives the reference kernels' integers.
 */
import { HeadstartError, isHeadstartError } from '../../errors.ts';
import { planArena, tensorBytes, isConstantTensor, type ArenaPlan } from '../arena.ts';
import type { Model, TensorType } from '../model.ts';
import { readTflite } from '../reader.ts';
import { typedView, type OpContext, type PreparedOp, type TensorData, type TensorSlot } from './context.ts';
import { preparerFor, supportedOperators } from './registry.ts';

/** A model input or output: its description and a live view of its bytes. */
export interface BoundTensor {
  index: number;
  name: string;
  type: TensorType;
  shape: number[];
  /** Per-tensor quantization (0 and 0 when the tensor is not quantized). */
  scale: number;
  zeroPoint: number;
  /** View into the arena: write inputs here before `invoke()`, read outputs after. */
  data: TensorData;
}

export interface TsInterpreter {
  readonly model: Model;
  readonly inputs: readonly BoundTensor[];
  readonly outputs: readonly BoundTensor[];
  readonly arena: ArenaPlan;
  /**
   * Runs the model once on what the input views hold. The arena is reused
   * across tensors, so write every input before each call.
   */
  invoke(): void;
}

export interface LoadOptions {
  subgraph?: number;
  /**
   * Let kernels use WebAssembly SIMD where the runtime has it (default true).
   * false keeps every kernel in JavaScript: same results, slower.
   */
  simd?: boolean;
}

function operatorName(model: Model, opcodeIndex: number): { name: string; version: number } {
  const code = model.operatorCodes[opcodeIndex];
  if (!code) return { name: `<opcode ${opcodeIndex}>`, version: 0 };
  return { name: code.builtin === 'CUSTOM' ? `CUSTOM(${code.customCode ?? '?'})` : code.builtin, version: code.version };
}

/** Throws UNSUPPORTED_OPERATOR for the first operator without a kernel, naming it and its index. */
function checkOperators(model: Model, subgraphIndex: number): void {
  const subgraph = model.subgraphs[subgraphIndex]!;
  subgraph.operators.forEach((op, i) => {
    const { name } = operatorName(model, op.opcodeIndex);
    if (!preparerFor(name)) {
      throw new HeadstartError(
        'UNSUPPORTED_OPERATOR',
        `operator #${i} is ${name}, which the TypeScript interpreter does not implement (it runs ${supportedOperators().join(', ')}); run this model on the official runtime`,
        { operator: name, index: i },
      );
    }
  });
}

function makeSlots(model: Model, subgraphIndex: number, plan: ArenaPlan, arena: ArrayBuffer): (TensorSlot | undefined)[] {
  const subgraph = model.subgraphs[subgraphIndex]!;
  return subgraph.tensors.map((tensor, index) => {
    const q = tensor.quantization;
    const base = { index, tensor, type: tensor.type, shape: tensor.shape.slice(), scale: q?.scale[0] ?? 0, zeroPoint: q?.zeroPoint[0] ?? 0 };
    const count = tensor.shape.reduce((n, d) => n * Math.max(d, 1), 1);
    if (isConstantTensor(model, tensor)) {
      const bytes = model.buffers[tensor.buffer]!;
      const expected = tensorBytes(tensor);
      if (bytes.length !== expected) {
        throw new HeadstartError('TFLITE_CORRUPT', `constant tensor ${index} ('${tensor.name}') holds ${bytes.length} bytes but its shape and type need ${expected}; the model file is inconsistent, re-export it`);
      }
      // Copied into a fresh buffer: file buffers need not be aligned for Int32Array.
      const copy = new ArrayBuffer(Math.max(expected, 8));
      new Uint8Array(copy).set(bytes);
      return { ...base, isConstant: true, data: typedView(tensor.type, copy, 0, count) };
    }
    const offset = plan.offsets[index]!;
    if (offset < 0) return undefined;
    return { ...base, isConstant: false, data: typedView(tensor.type, arena, offset, count) };
  });
}

function describeError(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function loadInterpreter(source: Model | Uint8Array, options: LoadOptions = {}): TsInterpreter {
  const model = source instanceof Uint8Array ? readTflite(source) : source;
  const subgraphIndex = options.subgraph ?? 0;
  const subgraph = model.subgraphs[subgraphIndex];
  if (!subgraph) throw new HeadstartError('INTERNAL', `the model has ${model.subgraphs.length} subgraph(s); there is no subgraph ${subgraphIndex}`);
  checkOperators(model, subgraphIndex);
  const arenaPlan = planArena(model, subgraphIndex);
  const arena = new ArrayBuffer(Math.max(arenaPlan.size, 16));
  const slots = makeSlots(model, subgraphIndex, arenaPlan, arena);

  const prepared: PreparedOp[] = subgraph.operators.map((op, opIndex) => {
    const { name, version } = operatorName(model, op.opcodeIndex);
    const fail = (message: string): never => {
      throw new HeadstartError('UNSUPPORTED_OPERATOR', `operator #${opIndex} (${name}): ${message}; run this model on the official runtime`, {
        operator: name,
        index: opIndex,
      });
    };
    const slotAt = (list: number[], position: number, role: string): TensorSlot | undefined => {
      const t = list[position];
      if (t === undefined || t < 0) return undefined;
      const slot = slots[t];
      if (!slot) return fail(`${role} ${position} refers to tensor ${t}, which has no data`);
      return slot;
    };
    const ctx: OpContext = {
      model,
      subgraph,
      opIndex,
      op,
      opName: name,
      version,
      simd: options.simd ?? true,
      input: (p) => slotAt(op.inputs, p, 'input') ?? fail(`input ${p} is missing`),
      optionalInput: (p) => slotAt(op.inputs, p, 'input'),
      output: (p) => slotAt(op.outputs, p, 'output') ?? fail(`output ${p} is missing`),
      option: <T>(field: string, fallback: T): T => {
        const v = op.options?.[field];
        return v === undefined ? fallback : (v as T);
      },
      fail,
    };
    try {
      return preparerFor(name)!(ctx);
    } catch (err) {
      if (isHeadstartError(err)) throw err;
      return fail(describeError(err));
    }
  });

  const bind = (t: number): BoundTensor => {
    const slot = slots[t];
    if (!slot) throw new HeadstartError('TFLITE_CORRUPT', `subgraph input/output tensor ${t} does not exist or has no data`);
    return { index: t, name: slot.tensor.name, type: slot.type, shape: slot.shape, scale: slot.scale, zeroPoint: slot.zeroPoint, data: slot.data };
  };
  const inputs = subgraph.inputs.map(bind);
  const outputs = subgraph.outputs.map(bind);
  const count = prepared.length;
  return {
    model,
    inputs,
    outputs,
    arena: arenaPlan,
    invoke(): void {
      for (let i = 0; i < count; i++) prepared[i]!();
    },
  };
}
