/**
 * A small builder of int8 TensorFlow Lite models from code, with random
 * weights and plausible quantization: the models the interpreter is checked
 * on against the native runtime (one per operator, and a conv1d-like
 * extractor), and that the benchmark times when no exported extractor exists.
 */
import type { BuiltinOptions, Model, Operator, QuantizationParams, Tensor, TensorType } from '../model.ts';
import { builtinOperatorCode } from '../schema_operators.ts';

/** Seeded uniform generator (mulberry32), so a model is the same for a given seed. */
export function seededUniform(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class GraphBuilder {
  private readonly tensors: Tensor[] = [];
  private readonly buffers: Uint8Array[] = [new Uint8Array(0)];
  private readonly operators: Operator[] = [];
  private readonly opcodes: string[] = [];

  constructor(readonly random: () => number) {}

  private quant(scale: number | number[], zeroPoint: number | number[], dim = 0): QuantizationParams {
    const scales = (Array.isArray(scale) ? scale : [scale]).map(Math.fround);
    const zps = Array.isArray(zeroPoint) ? zeroPoint : scales.map(() => zeroPoint);
    return { scale: scales, zeroPoint: zps, quantizedDimension: dim };
  }

  /** An activation tensor (no data): returns its index. */
  activation(name: string, type: TensorType, shape: number[], scale?: number, zeroPoint = 0): number {
    this.tensors.push({ name, shape, type, buffer: 0, isVariable: false, quantization: scale === undefined ? undefined : this.quant(scale, zeroPoint) });
    return this.tensors.length - 1;
  }

  /** A constant tensor holding `data`: returns its index. */
  constant(name: string, type: TensorType, shape: number[], data: Int8Array | Int32Array | Float32Array, scale?: number | number[], dim = 0): number {
    this.buffers.push(new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)));
    const quantization = scale === undefined ? undefined : this.quant(scale, 0, dim);
    this.tensors.push({ name, shape, type, buffer: this.buffers.length - 1, isVariable: false, quantization });
    return this.tensors.length - 1;
  }

  /** Random int8 weights, per-channel along `dim` when `channels` > 1, with the given real scale range. */
  weights(name: string, shape: number[], channels: number, dim: number): { index: number; scales: number[] } {
    const data = new Int8Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) data[i] = Math.round(this.random() * 254) - 127;
    const scales = Array.from({ length: channels }, () => Math.fround(0.002 + this.random() * 0.02));
    return { index: this.constant(name, 'int8', shape, data, scales, dim), scales };
  }

  /** Random int32 bias with scale input_scale * weight_scale per channel. */
  bias(name: string, inputScale: number, weightScales: number[]): number {
    const data = new Int32Array(weightScales.length);
    for (let i = 0; i < data.length; i++) data[i] = Math.round((this.random() - 0.5) * 4000);
    return this.constant(name, 'int32', [data.length], data, weightScales.map((s) => Math.fround(inputScale) * s));
  }

  op(builtin: string, inputs: number[], outputs: number[], options?: BuiltinOptions): void {
    let opcodeIndex = this.opcodes.indexOf(builtin);
    if (opcodeIndex < 0) opcodeIndex = this.opcodes.push(builtin) - 1;
    this.operators.push({ opcodeIndex, inputs, outputs, options });
  }

  build(inputs: number[], outputs: number[]): Model {
    return {
      version: 3,
      description: 'headstart graph builder',
      operatorCodes: this.opcodes.map((builtin) => ({ builtin, builtinCode: builtinOperatorCode(builtin)!, version: 1 })),
      subgraphs: [{ name: 'main', tensors: this.tensors, inputs, outputs, operators: this.operators }],
      buffers: this.buffers,
      metadata: [],
      signatureDefs: [],
    };
  }

  /** An activation tensor with the type and quantization of tensor `like` (pooling, reshape). */
  activationLike(name: string, shape: number[], like: number): number {
    const model = this.tensors[like]!;
    this.tensors.push({ name, shape, type: model.type, buffer: 0, isVariable: false, quantization: model.quantization });
    return this.tensors.length - 1;
  }
}
