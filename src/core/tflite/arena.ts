/**
 * Static arena planning from tensor lifetimes, as TensorFlow Lite Micro's
 * GreedyMemoryPlanner does it: every activation tensor lives from the
 * operator that writes it (or the start, for subgraph inputs and variables)
 * to the last operator that reads it (or the end, for subgraph outputs and
 * variables); tensors are placed largest first, each at the lowest 16-byte
 * aligned offset that overlaps no already placed tensor alive at the same time.
 */
import { HeadstartError } from '../errors.ts';
import type { Model, SubGraph, Tensor } from './model.ts';
import { elementCount, tensorByteLength } from './tensor_size.ts';

export const ARENA_ALIGNMENT = 16;

export interface ArenaPlan {
  /** Peak bytes: the arena size that holds every planned tensor. */
  size: number;
  /** Byte offset per tensor; -1 if not in the arena (constant or unused). */
  offsets: Int32Array;
  /** Bytes reserved per tensor (size rounded up to the alignment); 0 if not in the arena. */
  bytes: Int32Array;
  /** Index of the first operator during which the tensor must exist; -1 if not in the arena. */
  firstUse: Int32Array;
  /** Index of the last operator during which the tensor must exist; -1 if not in the arena. */
  lastUse: Int32Array;
}

/** Bytes of a tensor's data (int4 packs two per byte). */
export function tensorBytes(tensor: Tensor): number {
  const bytes = tensorByteLength(tensor.type, elementCount(tensor.shape.map((d) => Math.max(d, 1))));
  if (bytes === undefined) {
    throw new HeadstartError('TFLITE_UNSUPPORTED', `tensor '${tensor.name}' has type ${tensor.type}, which has no fixed size; the arena cannot hold it`);
  }
  return bytes;
}

/** True when the tensor's data comes from the file (a non-empty buffer). */
export function isConstantTensor(model: Model, tensor: Tensor): boolean {
  return tensor.buffer > 0 && (model.buffers[tensor.buffer]?.length ?? 0) > 0;
}

function alignUp(n: number): number {
  return Math.ceil(n / ARENA_ALIGNMENT) * ARENA_ALIGNMENT;
}

function lifetimes(model: Model, subgraph: SubGraph): { first: Int32Array; last: Int32Array } {
  const n = subgraph.tensors.length;
  const end = Math.max(0, subgraph.operators.length - 1);
  const first = new Int32Array(n).fill(-1);
  const last = new Int32Array(n).fill(-1);
  const touch = (t: number, at: number): void => {
    if (t < 0 || t >= n || isConstantTensor(model, subgraph.tensors[t]!)) return;
    if (first[t] === -1 || at < first[t]!) first[t] = at;
    if (at > last[t]!) last[t] = at;
  };
  for (const t of subgraph.inputs) touch(t, 0);
  subgraph.tensors.forEach((tensor, t) => {
    if (tensor.isVariable) {
      touch(t, 0);
      touch(t, end);
    }
  });
  subgraph.operators.forEach((op, i) => {
    for (const t of op.inputs) touch(t, i);
    for (const t of op.outputs) touch(t, i);
    for (const t of op.intermediates ?? []) touch(t, i);
  });
  for (const t of subgraph.outputs) touch(t, end);
  return { first, last };
}

export function planArena(model: Model, subgraphIndex = 0): ArenaPlan {
  const subgraph = model.subgraphs[subgraphIndex];
  if (!subgraph) throw new HeadstartError('INTERNAL', `the model has ${model.subgraphs.length} subgraph(s); there is no subgraph ${subgraphIndex}`);
  const n = subgraph.tensors.length;
  const { first, last } = lifetimes(model, subgraph);
  const bytes = new Int32Array(n);
  const planned: number[] = [];
  for (let t = 0; t < n; t++) {
    if (first[t] === -1) continue;
    bytes[t] = alignUp(tensorBytes(subgraph.tensors[t]!));
    planned.push(t);
  }
  // Largest first; equal sizes in tensor order, so the plan is deterministic.
  planned.sort((a, b) => bytes[b]! - bytes[a]! || a - b);
  const offsets = new Int32Array(n).fill(-1);
  const placed: number[] = [];
  let size = 0;
  for (const t of planned) {
    const alive = placed
      .filter((p) => first[p]! <= last[t]! && first[t]! <= last[p]!)
      .sort((a, b) => offsets[a]! - offsets[b]!);
    let candidate = 0;
    for (const p of alive) {
      if (candidate + bytes[t]! <= offsets[p]!) break;
      candidate = Math.max(candidate, offsets[p]! + bytes[p]!);
    }
    offsets[t] = candidate;
    placed.push(t);
    size = Math.max(size, candidate + bytes[t]!);
  }
  for (let t = 0; t < n; t++) {
    if (offsets[t] === -1) {
      first[t] = -1;
      last[t] = -1;
    }
  }
  return { size, offsets, bytes, firstUse: first, lastUse: last };
}
