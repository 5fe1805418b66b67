import type { Command } from 'commander';
import { registerDemo } from './demo.ts';
import { registerPretrain } from './pretrain.ts';
import { registerEvaluate } from './evaluate.ts';
import { registerDoctor } from './doctor.ts';
import { registerDecode } from './decode.ts';
import { registerInspect } from './inspect.ts';
import { registerDataset } from './dataset.ts';
import { registerInfer } from './infer.ts';
import { registerExport } from './export.ts';
import { registerPackage } from './package.ts';
import { registerPorts } from './ports.ts';
import { registerSim } from './sim.ts';
import { registerRun } from './run.ts';
import { registerProfile } from './profile.ts';
import { registerCalibrate } from './calibrate.ts';
import { registerConvert } from './convert.ts';
import { registerRecord } from './record.ts';

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
  registerPackage(program);
  registerPorts(program);
  registerSim(program);
  registerRun(program);
  registerProfile(program);
  registerCalibrate(program);
  registerRecord(program);
  registerConvert(program);
}
