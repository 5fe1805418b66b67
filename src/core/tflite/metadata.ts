/**
 * Model-level metadata entries: the `min_runtime_version` string every
 * converter writes, and headstart's own JSON entry describing what the
 * extractor expects (channels, rate, window, normalization, ...). Also the
 * `serving_default` signature. Each helper returns a new Model; none mutates.
 */
import { HeadstartError } from '../errors.ts';
import type { ChannelNormalization } from '../windowing.ts';
import type { Model, SignatureDef } from './model.ts';

export const MIN_RUNTIME_VERSION_KEY = 'min_runtime_version';
export const HEADSTART_METADATA_KEY = 'headstart';
export const SERVING_DEFAULT = 'serving_default';

/** The converter stores min_runtime_version as a NUL-padded string in a 16-byte buffer. */
const RUNTIME_VERSION_BYTES = 16;

/** What a device needs to feed the extractor correctly, stored in the model itself. */
export interface HeadstartMetadata {
  channels: number;
  /** Samples per second per channel. */
  rate: number;
  /** Samples per window. */
  window: number;
  /** Samples between window starts. */
  hop: number;
  normalization: ChannelNormalization;
  /**
   * When present, the input tensor is quantized per channel: channel c of a
   * normalized window is round(x / inputChannelScales[c]) + the tensor's zero
   * point, and the tensor's own scale is not the one to quantize with.
   */
  inputChannelScales?: number[];
  embeddingSize: number;
  producerVersion: string;
}

/** Returns `model` with the named metadata entry set to `data` (replacing an entry of that name). */
export function withMetadata(model: Model, name: string, data: Uint8Array): Model {
  const buffers = [...model.buffers];
  const existing = model.metadata.find((m) => m.name === name);
  if (existing && existing.buffer !== 0 && !isShared(model, existing.buffer, name)) {
    buffers[existing.buffer] = data.slice();
    return { ...model, buffers };
  }
  buffers.push(data.slice());
  const metadata = model.metadata.filter((m) => m.name !== name);
  metadata.push({ name, buffer: buffers.length - 1 });
  return { ...model, buffers, metadata };
}

/** True when a buffer is also used by a tensor or another metadata entry (so it must not be overwritten). */
function isShared(model: Model, buffer: number, name: string): boolean {
  return (
    model.subgraphs.some((sg) => sg.tensors.some((t) => t.buffer === buffer)) ||
    model.metadata.some((m) => m.name !== name && m.buffer === buffer)
  );
}

export function metadataBytes(model: Model, name: string): Uint8Array | undefined {
  const entry = model.metadata.find((m) => m.name === name);
  return entry === undefined ? undefined : model.buffers[entry.buffer];
}

export function encodeMinRuntimeVersion(version: string): Uint8Array {
  if (!/^\d+\.\d+(\.\d+)?$/.test(version) || version.length >= RUNTIME_VERSION_BYTES) {
    throw new HeadstartError('INTERNAL', `min_runtime_version must look like "1.14.0" (got ${JSON.stringify(version)})`);
  }
  const out = new Uint8Array(RUNTIME_VERSION_BYTES);
  out.set(new TextEncoder().encode(version));
  return out;
}

/** The version string up to the first NUL. */
export function decodeMinRuntimeVersion(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return new TextDecoder().decode(end < 0 ? bytes : bytes.subarray(0, end));
}

export function encodeHeadstartMetadata(meta: HeadstartMetadata): Uint8Array {
  checkHeadstartMetadata(meta);
  return new TextEncoder().encode(JSON.stringify(meta));
}

/** Parses and checks headstart's metadata entry; a malformed entry is TFLITE_CORRUPT. */
export function decodeHeadstartMetadata(bytes: Uint8Array): HeadstartMetadata {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new HeadstartError('TFLITE_CORRUPT', `the model's "${HEADSTART_METADATA_KEY}" metadata entry is not JSON; re-export the model with headstart.`, { check: 'metadata' });
  }
  checkHeadstartMetadata(parsed);
  return parsed;
}

function checkHeadstartMetadata(value: unknown): asserts value is HeadstartMetadata {
  const m = value as Partial<HeadstartMetadata> | null;
  const problems: string[] = [];
  if (typeof m !== 'object' || m === null) {
    problems.push('not an object');
  } else {
    for (const key of ['channels', 'window', 'hop', 'embeddingSize'] as const) {
      if (!Number.isInteger(m[key]) || (m[key] as number) < 1) problems.push(`${key} must be a positive whole number`);
    }
    if (typeof m.rate !== 'number' || !(m.rate > 0)) problems.push('rate must be a positive number');
    if (typeof m.producerVersion !== 'string') problems.push('producerVersion must be a string');
    const n = m.normalization;
    const okArray = (a: unknown): boolean =>
      Array.isArray(a) && a.length === m.channels && a.every((x) => typeof x === 'number' && Number.isFinite(x));
    if (typeof n !== 'object' || n === null || !okArray(n.offset) || !okArray(n.scale)) {
      problems.push('normalization must hold one finite offset and scale per channel');
    }
    if (m.inputChannelScales !== undefined && !(okArray(m.inputChannelScales) && m.inputChannelScales.every((x) => x > 0))) {
      problems.push('inputChannelScales must hold one positive scale per channel');
    }
  }
  if (problems.length > 0) {
    throw new HeadstartError('TFLITE_CORRUPT', `headstart metadata is invalid: ${problems.join('; ')}.`, { check: 'metadata', problems });
  }
}

/**
 * A `serving_default` signature over a subgraph's inputs and outputs, named
 * after their tensors; the official runtime's signature runner looks it up by that key.
 */
export function servingDefaultSignature(model: Model, subgraphIndex = 0): SignatureDef {
  const sg = model.subgraphs[subgraphIndex];
  if (!sg) throw new HeadstartError('INTERNAL', `the model has no subgraph ${subgraphIndex}`);
  const entry = (tensorIndex: number) => ({ name: sg.tensors[tensorIndex]?.name ?? `tensor_${tensorIndex}`, tensorIndex });
  return { signatureKey: SERVING_DEFAULT, subgraphIndex, inputs: sg.inputs.map(entry), outputs: sg.outputs.map(entry) };
}

/** Returns `model` with its serving_default signature set (replacing one of that key). */
export function withServingDefault(model: Model, subgraphIndex = 0): Model {
  const others = model.signatureDefs.filter((s) => s.signatureKey !== SERVING_DEFAULT);
  return { ...model, signatureDefs: [...others, servingDefaultSignature(model, subgraphIndex)] };
}
