/**
 * Everything `headstart inspect` says about a .tflite file, as plain data
 * (the CLI prints it as text or JSON).
 */
import { HeadstartError, isHeadstartError } from '../errors.ts';
import { planArena } from './arena.ts';
import {
  decodeHeadstartMetadata,
  decodeMinRuntimeVersion,
  HEADSTART_METADATA_KEY,
  MIN_RUNTIME_VERSION_KEY,
  type HeadstartMetadata,
} from './metadata.ts';
import type { BuiltinOptions, QuantizationParams, SignatureDef, TensorType } from './model.ts';
import { readBufferLayout, readTflite } from './reader.ts';
import { tflmVerdict, type TflmVerdict } from './tflm.ts';

export interface InspectOperator {
  index: number;
  op: string;
  version: number;
  inputs: number[];
  outputs: number[];
  intermediates?: number[];
  options?: BuiltinOptions;
  customOptionsBytes?: number;
}

export interface InspectTensor {
  index: number;
  name: string;
  type: TensorType;
  shape: number[];
  shapeSignature?: number[];
  buffer: number;
  /** Bytes of constant data (0 for activations). */
  constantBytes: number;
  quantization?: QuantizationParams;
  isVariable: boolean;
}

export interface InspectMetadata {
  name: string;
  buffer: number;
  bytes: number;
  /** min_runtime_version as text, headstart's entry parsed, other entries absent. */
  value?: string | HeadstartMetadata;
  /** Why a known entry could not be decoded. */
  error?: string;
}

export interface InspectReport {
  fileBytes: number;
  schemaVersion: number;
  description: string;
  subgraphs: {
    index: number;
    name: string;
    inputs: number[];
    outputs: number[];
    operators: InspectOperator[];
    tensors: InspectTensor[];
  }[];
  /** Offset −1 for an empty buffer. */
  buffers: { index: number; bytes: number; offset: number; aligned16: boolean }[];
  /** Sum of all buffers (weights, biases, metadata). */
  bufferBytes: number;
  signatures: SignatureDef[];
  metadata: InspectMetadata[];
  tflm: TflmVerdict;
  /** Peak activation memory of subgraph 0 from tensor lifetimes (TFLM's greedy plan), or why it is unknown. */
  arena: { bytes: number; tensors: number } | { error: string };
}

export function inspectTflite(bytes: Uint8Array): InspectReport {
  const model = readTflite(bytes);
  const layout = readBufferLayout(bytes);
  const subgraphs = model.subgraphs.map((sg, s) => ({
    index: s,
    name: sg.name,
    inputs: sg.inputs,
    outputs: sg.outputs,
    operators: sg.operators.map((op, i): InspectOperator => {
      const code = model.operatorCodes[op.opcodeIndex]!;
      const out: InspectOperator = {
        index: i,
        op: code.builtin === 'CUSTOM' ? `CUSTOM:${code.customCode ?? ''}` : code.builtin,
        version: code.version,
        inputs: op.inputs,
        outputs: op.outputs,
      };
      if (op.intermediates) out.intermediates = op.intermediates;
      if (op.options) out.options = op.options;
      if (op.customOptions) out.customOptionsBytes = op.customOptions.length;
      return out;
    }),
    tensors: sg.tensors.map((t, i): InspectTensor => {
      const out: InspectTensor = {
        index: i,
        name: t.name,
        type: t.type,
        shape: t.shape,
        buffer: t.buffer,
        constantBytes: model.buffers[t.buffer]!.length,
        isVariable: t.isVariable,
      };
      if (t.shapeSignature) out.shapeSignature = t.shapeSignature;
      if (t.quantization) out.quantization = t.quantization;
      return out;
    }),
  }));

  const metadata = model.metadata.map((m): InspectMetadata => {
    const data = model.buffers[m.buffer]!;
    const out: InspectMetadata = { name: m.name, buffer: m.buffer, bytes: data.length };
    if (m.name === MIN_RUNTIME_VERSION_KEY) out.value = decodeMinRuntimeVersion(data);
    if (m.name === HEADSTART_METADATA_KEY) {
      try {
        out.value = decodeHeadstartMetadata(data);
      } catch (err) {
        if (!isHeadstartError(err)) throw err;
        out.error = err.message;
      }
    }
    return out;
  });

  let arena: InspectReport['arena'];
  try {
    const plan = planArena(model, 0);
    arena = { bytes: plan.size, tensors: Array.from(plan.offsets).filter((o) => o >= 0).length };
  } catch (err) {
    if (!(err instanceof HeadstartError)) throw err;
    arena = { error: err.message };
  }

  return {
    fileBytes: bytes.length,
    schemaVersion: model.version,
    description: model.description,
    subgraphs,
    buffers: layout.map((b, i) => ({ index: i, bytes: b.length, offset: b.offset, aligned16: b.offset < 0 || b.offset % 16 === 0 })),
    bufferBytes: model.buffers.reduce((n, b) => n + b.length, 0),
    signatures: model.signatureDefs,
    metadata,
    tflm: tflmVerdict(model),
    arena,
  };
}
