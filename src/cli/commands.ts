import type { Command } from 'commander';
import { registerDemo } from './demo.ts';
import { registerPretrain } from '../host/cli/pretrain.ts';
import { registerEvaluate } from '../host/cli/evaluate.ts';
import { registerDoctor } from './doctor.ts';
import { registerDecode } from '../host/cli/decode.ts';
import { registerInspect } from '../host/cli/inspect.ts';
import { registerDataset } from '../host/cli/dataset.ts';
import { registerInfer } from '../host/cli/infer.ts';
import { registerExport } from '../host/cli/export.ts';
import { registerPorts } from '../device/cli/ports.ts';
import { registerSim } from '../device/cli/sim.ts';
import { registerRun } from '../device/cli/run.ts';
import { registerProfile } from '../device/cli/profile.ts';
import { registerCalibrate } from '../device/cli/calibrate.ts';

/** Every verb of the CLI, in the order `--help` lists them. */
export function registerCommands(program: Command): void {
  registerDemo(program);
  registerPretrain(program);
  registerEvaluate(program);
  registerDoctor(program);
  registerDecode(program);
  registerInspect(program);
  registerDataset(program);
  registerInfer(program);
  registerExport(program);
  registerPorts(program);
  registerSim(program);
  registerRun(program);
  registerProfile(program);
  registerCalibrate(program);
}
