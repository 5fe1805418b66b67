import type { Command } from 'commander';
import type { BackendChoice } from '../tfjs/backend.ts';
import type { Model } from '../core/tflite/model.ts';
import { writeTflite } from '../core/tflite/writer.ts';
import { PRODUCER_VERSION } from '../io/version.ts';
import { loadNativeBinding } from '../io/runtime/native_runtime.ts';
import { type DeviceInstall, deviceInstall } from '../io/install_root.ts';
import { addHelpNotes } from './help.ts';

interface TfliteRuntimeCheck {
  /** Whether tfjs-tflite-node loaded and ran a model headstart wrote. */
  ok: boolean;
  detail: string;
}

interface DoctorReport {
  version: string;
  node: string;
  platform: string;
  /** Present when headstart runs from a device tarball (npm run pack:device). */
  device?: DeviceInstall;
  backend: BackendChoice;
  tfliteRuntime: TfliteRuntimeCheck;
}

const ADDEND = [1, 2, 3, 4];

/** y = x + [1, 2, 3, 4], float32 [1, 4]: the smallest model that exercises load, allocate and invoke. */
function tinyAddModel(): Model {
  const tensor = (name: string, buffer: number) => ({ name, shape: [1, 4], type: 'float32' as const, buffer, isVariable: false });
  return {
    version: 3,
    description: 'headstart doctor self-check',
    operatorCodes: [{ builtin: 'ADD', builtinCode: 0, version: 1 }],
    subgraphs: [
      {
        name: 'main',
        tensors: [tensor('x', 0), tensor('addend', 1), tensor('y', 0)],
        inputs: [0],
        outputs: [2],
        operators: [{ opcodeIndex: 0, inputs: [0, 1], outputs: [2], options: { type: 'AddOptions', fusedActivationFunction: 'NONE' } }],
      },
    ],
    buffers: [new Uint8Array(0), new Uint8Array(Float32Array.from(ADDEND).buffer)],
    metadata: [],
    signatureDefs: [],
  };
}

interface NativeRunner {
  getInputs(): { data(): Float32Array }[];
  getOutputs(): { data(): Float32Array }[];
  infer(): boolean;
}

/** Loads the official TensorFlow Lite runtime and runs a model written by headstart's own writer. */
function checkTfliteRuntime(device: DeviceInstall | undefined): TfliteRuntimeCheck {
  let Runner: new (model: ArrayBuffer, options: { threads: number }) => NativeRunner;
  try {
    Runner = loadNativeBinding() as unknown as typeof Runner;
  } catch (err) {
    const reason = (err as Error).message.split('\n')[0];
    if (device && !device.nativeTflite.included) {
      return { ok: false, detail: `this device install for ${device.platform} was packed without it (${device.nativeTflite.reason}); devices will use the TypeScript interpreter` };
    }
    return { ok: false, detail: `tfjs-tflite-node does not load on this platform (${reason}); devices will use the TypeScript interpreter` };
  }
  try {
    // The binding needs an ArrayBuffer that is exactly the file.
    const runner = new Runner(Uint8Array.from(writeTflite(tinyAddModel())).buffer, { threads: 1 });
    runner.getInputs()[0]!.data().fill(0.5);
    if (!runner.infer()) return { ok: false, detail: 'tfjs-tflite-node loaded but failed to run a one-operator model' };
    const got = Array.from(runner.getOutputs()[0]!.data());
    const expected = ADDEND.map((v) => v + 0.5);
    return got.every((v, i) => v === expected[i])
      ? { ok: true, detail: 'tfjs-tflite-node loads and runs a model written by headstart' }
      : { ok: false, detail: `tfjs-tflite-node ran a one-operator model but returned [${got.join(', ')}] instead of [${expected.join(', ')}]` };
  } catch (err) {
    return { ok: false, detail: `tfjs-tflite-node loaded but rejected a one-operator model: ${(err as Error).message.split('\n')[0]}` };
  }
}

function printText(report: DoctorReport): void {
  const out = (line: string) => process.stdout.write(line + '\n');
  out(`headstart ${report.version} on node ${report.node} (${report.platform})`);
  const device = report.device;
  if (device) {
    out(`device install for ${device.platform}, packed ${device.packedAt}${device.platform === report.platform ? '' : `: this machine is ${report.platform}, install the tarball made for it`}`);
  }
  out(`tfjs backend: ${report.backend.name}`);
  for (const s of report.backend.skipped) out(`  passed over ${s.name}: ${s.reason}`);
  const wasm = report.backend.wasm;
  if (wasm) {
    out(`  wasm: ${wasm.simd ? 'SIMD' : 'no SIMD'}, ${wasm.threads} thread${wasm.threads === 1 ? '' : 's'}`);
    out(`  wasm training kernels added by headstart: ${wasm.trainingKernels.join(', ') || 'none'}`);
  }
  out(`TFLite runtime: ${report.tfliteRuntime.ok ? 'ok' : 'unavailable'} (${report.tfliteRuntime.detail})`);
}

export function registerDoctor(program: Command): void {
  const cmd = program
    .command('doctor')
    .summary('check this machine: the TensorFlow.js backend, wasm features, and whether the official TensorFlow Lite runtime runs a model')
    .description(
      'check this machine: the TensorFlow.js backend that trains models (and why faster ones were passed over), the wasm features in use, and whether the official TensorFlow Lite runtime loads and runs a model',
    )
    .option('--json', 'print one JSON object (version, node, platform, device when run from a device tarball, backend, tfliteRuntime) instead of text');
  addHelpNotes(cmd, {
    notes: ['The backend is tfjs-node when installed, else WebAssembly, else pure JavaScript; set HEADSTART_BACKEND=tensorflow|wasm|cpu to force one (doctor then reports only that one).'],
    examples: ['$ headstart doctor', '$ HEADSTART_BACKEND=cpu headstart doctor --json'],
  });
  cmd
    .action(async (opts: { json?: boolean }) => {
      const device = deviceInstall();
      const report: DoctorReport = {
        version: PRODUCER_VERSION,
        node: process.version,
        platform: `${process.platform}-${process.arch}`,
        ...(device ? { device } : {}),
        // Loaded only here: the other verbs that do not train start without TensorFlow.js.
        backend: await (await import('../tfjs/backend.ts')).selectBackend(),
        tfliteRuntime: checkTfliteRuntime(device),
      };
      if (opts.json) process.stdout.write(JSON.stringify(report) + '\n');
      else printText(report);
    });
}
