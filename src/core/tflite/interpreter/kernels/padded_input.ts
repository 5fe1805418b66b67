/**
 * The input of a convolution copied into a scratch with its padding filled
 * with the input zero point. The reference kernels skip taps that fall in the
 * padding; a tap on a zero-point element adds w * (zp - zp) = 0 instead, so
 * with the input offset folded into the bias (sum w*(x - zp) = sum w*x -
 * zp * sum w) every output position runs the same loop with no bounds tests.
 */
import type { ConvGeometry } from './conv_params.ts';

export interface PaddedInput {
  /** Rows and columns of the scratch per batch; the input sits at (padH, padW). */
  rows: number;
  columns: number;
  /** [batch][rows][columns][inC], zero point outside the copied input. */
  data: Int8Array;
  /** Views of the input's rows and where each goes in `data`, made once so that copying allocates nothing. */
  sourceRows: Int8Array[];
  targetOffsets: number[];
}

/**
 * A scratch for `input` large enough for every window of `outW` positions
 * (which may exceed the geometry's own output width when a kernel computes
 * positions in blocks and discards the extra ones).
 */
export function paddedInput(g: ConvGeometry, zeroPoint: number, input: Int8Array, outW = g.outW): PaddedInput {
  const rows = Math.max(g.padH + g.inH, (g.outH - 1) * g.strideH + (g.filterH - 1) * g.dilationH + 1);
  const columns = Math.max(g.padW + g.inW, (outW - 1) * g.strideW + (g.filterW - 1) * g.dilationW + 1);
  const rowLength = g.inW * g.inC;
  const sourceRows: Int8Array[] = [];
  const targetOffsets: number[] = [];
  for (let b = 0; b < g.batches; b++) {
    for (let y = 0; y < g.inH; y++) {
      const from = (b * g.inH + y) * rowLength;
      sourceRows.push(input.subarray(from, from + rowLength));
      targetOffsets.push(((b * rows + g.padH + y) * columns + g.padW) * g.inC);
    }
  }
  return { rows, columns, data: new Int8Array(g.batches * rows * columns * g.inC).fill(zeroPoint), sourceRows, targetOffsets };
}

/** Copies the input rows into the scratch; the padding keeps its zero points. */
export function copyIntoPadded(to: PaddedInput): void {
  for (let i = 0; i < to.sourceRows.length; i++) to.data.set(to.sourceRows[i]!, to.targetOffsets[i]!);
}
