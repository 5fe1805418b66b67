import type { Command } from 'commander';
import { inspectTflite, type InspectReport, type InspectTensor } from '../core/tflite/inspect_report.ts';
import type { BuiltinOptions, QuantizationParams } from '../core/tflite/model.ts';
import { addHelpNotes } from './help.ts';
import { namingFile, readGivenFile } from './read_file.ts';

export function registerInspect(program: Command): void {
  const cmd = program
    .command('inspect')
    .summary('describe any .tflite file: operators, tensors and quantization, buffers, signatures, metadata; TensorFlow Lite Micro fit and arena')
    .description(
      'read any TensorFlow Lite (.tflite) file and describe it: operators with their options, tensors (shape, type, quantization), buffers, signatures, metadata; whether TensorFlow Lite Micro can run it, and its peak arena memory',
    )
    .argument('<file.tflite>', 'the model file to read (it is validated; a damaged file is reported, never trusted)')
    .option('--json', 'print one JSON object (the full report) instead of text')
    .option('--no-tensors', 'leave the tensor table out of the text report (long for big models)');
  addHelpNotes(cmd, {
    notes: [
      "The verdict for TensorFlow Lite Micro checks that every operator has a TFLM kernel, that shapes are static, and that an int8 graph has no float operators. The arena estimate is the peak memory of the activation tensors under TFLM's greedy plan from tensor lifetimes (TFLM adds a little per-operator scratch and bookkeeping on top).",
    ],
    examples: ['$ headstart inspect models/myo8-200hz/extractor.tflite', '$ headstart inspect model.tflite --json | jq .tflm'],
  });
  cmd
    .action((file: string, opts: { json?: boolean; tensors: boolean }) => {
      const report = namingFile(file, () => inspectTflite(readGivenFile(file, 'a TensorFlow Lite model')));
      if (opts.json) {
        process.stdout.write(JSON.stringify(report) + '\n');
        return;
      }
      process.stdout.write(formatReport(file, report, opts.tensors));
    });
}

function formatReport(file: string, r: InspectReport, withTensors: boolean): string {
  const out: string[] = [];
  out.push(`${file}: ${r.fileBytes} bytes, TensorFlow Lite schema ${r.schemaVersion}${r.description ? `, "${r.description}"` : ''}`);
  out.push(`TensorFlow Lite Micro: ${r.tflm.runnable ? 'can run it' : 'cannot run it'} (${r.tflm.graph} graph)`);
  for (const reason of r.tflm.reasons) out.push(`  why not: ${reason}`);
  for (const note of r.tflm.notes) out.push(`  note: ${note}`);
  out.push(
    'error' in r.arena
      ? `arena: unknown (${r.arena.error})`
      : `arena: ${r.arena.bytes} bytes peak for ${r.arena.tensors} activation tensors (subgraph 0, greedy plan from tensor lifetimes)`,
  );
  const misaligned = r.buffers.filter((b) => !b.aligned16);
  out.push(
    `buffers: ${r.buffers.length}, ${r.bufferBytes} bytes of data` +
      (misaligned.length ? `; ${misaligned.length} not 16-byte aligned (TFLM copies or rejects them)` : ', all data 16-byte aligned'),
  );
  for (const b of r.buffers.filter((x) => x.bytes > 0)) out.push(`  ${b.index}: ${b.bytes} bytes at offset ${b.offset}`);
  out.push(`signatures:${r.signatures.length === 0 ? ' none' : ''}`);
  for (const s of r.signatures) {
    const side = (xs: { name: string; tensorIndex: number }[]) => xs.map((x) => `${x.name}=tensor ${x.tensorIndex}`).join(', ');
    out.push(`  ${s.signatureKey} (subgraph ${s.subgraphIndex}): inputs ${side(s.inputs)}; outputs ${side(s.outputs)}`);
  }
  out.push(`metadata:${r.metadata.length === 0 ? ' none' : ''}`);
  for (const m of r.metadata) {
    const value = m.value === undefined ? '' : ` = ${typeof m.value === 'string' ? m.value : JSON.stringify(m.value)}`;
    out.push(`  ${m.name} (buffer ${m.buffer}, ${m.bytes} bytes)${value}${m.error ? ` [invalid: ${m.error}]` : ''}`);
  }
  for (const sg of r.subgraphs) {
    out.push(`subgraph ${sg.index}${sg.name ? ` "${sg.name}"` : ''}: inputs [${sg.inputs.join(', ')}], outputs [${sg.outputs.join(', ')}]`);
    out.push(`  operators (${sg.operators.length}):`);
    for (const op of sg.operators) {
      const extra = op.intermediates ? ` intermediates [${op.intermediates.join(', ')}]` : '';
      const custom = op.customOptionsBytes !== undefined ? ` custom options ${op.customOptionsBytes} bytes` : '';
      out.push(`    ${op.index} ${op.op} v${op.version}  in [${op.inputs.join(', ')}] out [${op.outputs.join(', ')}]${extra}${custom}${formatOptions(op.options)}`);
    }
    if (withTensors) {
      out.push(`  tensors (${sg.tensors.length}):`);
      for (const t of sg.tensors) out.push(`    ${formatTensor(t)}`);
    }
  }
  return out.join('\n') + '\n';
}

function formatOptions(options: BuiltinOptions | undefined): string {
  if (!options) return '';
  const { type, ...fields } = options;
  // quantized_bias_type 0 is the schema's "not set" (it reads as float32): the runtime then takes int32 biases for int8 models, int64 for int16.
  const shown = Object.entries(fields).filter(([k, v]) => !(k === 'quantizedBiasType' && v === 'float32'));
  const parts = shown.map(([k, v]) => `${k}=${Array.isArray(v) ? `[${v.join(',')}]` : String(v)}`);
  return `  ${type}${parts.length ? ` ${parts.join(' ')}` : ''}`;
}

function formatTensor(t: InspectTensor): string {
  const shape = `[${t.shape.join(',')}]${t.shapeSignature ? ` (signature [${t.shapeSignature.join(',')}])` : ''}`;
  const data = t.constantBytes > 0 ? ` const ${t.constantBytes} B (buffer ${t.buffer})` : '';
  const variable = t.isVariable ? ' variable' : '';
  return `${t.index} ${t.type} ${shape} "${t.name}"${formatQuantization(t.quantization)}${data}${variable}`;
}

function formatQuantization(q: QuantizationParams | undefined): string {
  if (!q || q.scale.length === 0) return '';
  const g = (x: number) => x.toPrecision(4);
  if (q.scale.length === 1) return ` q(scale ${g(q.scale[0]!)}, zero ${q.zeroPoint[0]})`;
  const lo = Math.min(...q.scale);
  const hi = Math.max(...q.scale);
  return ` q(per-channel ×${q.scale.length} on dim ${q.quantizedDimension}, scale ${g(lo)}..${g(hi)})`;
}
