/**
 * The CLI's advice beside an error: the layers below say what went wrong and
 * what to do in their own terms; here that becomes the flag or command line
 * that does it. A hint tied to a flag is given only by verbs that have the
 * flag.
 */
import type { Command } from 'commander';
import type { HeadstartError, ErrorCode } from '../core/errors.ts';

type Details = Record<string, unknown>;

interface Hint {
  /** Shown only when the verb has this option. */
  flag?: string;
  text: string | ((details: Details) => string | undefined);
}

const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

const HINTS: Partial<Record<ErrorCode, Hint[]>> = {
  UNSUPPORTED_OPERATOR: [{ flag: '--runtime', text: '--runtime native runs the model on the official TensorFlow Lite runtime' }],
  NATIVE_RUNTIME_UNAVAILABLE: [{ flag: '--runtime', text: '--runtime ts uses the TypeScript interpreter instead' }],
  NATIVE_RUNTIME_FAILED: [{ flag: '--runtime', text: '--runtime ts runs the TypeScript interpreter, which names the operator at fault' }],
  PACKAGE_NOT_EXPORTED: [{ text: (d) => `\`headstart export --package ${text(d['package']) ?? '<dir>'}\` adds the int8 extractor` }],
  BAD_PACKAGE: [{ text: (d) => (text(d['package']) ? `\`headstart export --package ${text(d['package'])}\` writes the int8 extractor again` : undefined) }],
  FILE_NOT_FOUND: [
    { flag: '--package', text: (d) => (text(d['package']) ? '--package <dir> names the model package to use' : undefined) },
    { text: (d) => (text(d['package']) && d['file'] !== d['package'] ? `\`headstart export --package ${text(d['package'])}\` writes the int8 extractor again` : undefined) },
  ],
  PROFILE_NOT_FOUND: [
    { text: (d) => (text(d['interruptedCalibration']) ? `\`headstart calibrate --port <port> --profile ${text(d['user']) ?? '<user>'} --resume\` continues it` : undefined) },
    { flag: '--data-dir', text: (d) => (text(d['interruptedCalibration']) ? undefined : '--data-dir <dir> looks for the profiles in another folder') },
  ],
  PROFILE_EXTRACTOR_MISMATCH: [{ flag: '--package', text: '--package <dir> runs the profile with the package it was calibrated with' }],
  SESSION_IN_PROGRESS: [{ flag: '--resume', text: 'add --resume to continue it' }],
  NOTHING_TO_RESUME: [{ flag: '--resume', text: 'leave out --resume to start a new calibration' }],
  NO_CALIBRATION: [{ flag: '--only', text: 'leave out --only to calibrate every gesture' }],
  LINK_CLOSED: [{ flag: '--resume', text: 'run the same command with --resume to continue where it stopped' }],
  INTERRUPTED: [{ flag: '--resume', text: (d) => (d['resumable'] === true ? 'run the same command with --resume to continue where it stopped' : undefined) }],
  QUANTIZATION_CHECK_FAILED: [{ flag: '--force', text: '--percentile 99.99 or more --calibration-windows may help; --force writes it anyway' }],
  MISSING_DEPENDENCY: [{ flag: '--link', text: '--link loopback needs no socat' }],
  BOARD_SILENT: [{ flag: '--link', text: 'if it happens again, --link loopback takes socat out of the way' }],
};

/** Settings named in `details.setting` by the layers below, and the flag that gives each. */
const SETTINGS: Record<string, { flag: string; does: string }> = {
  rate: { flag: '--rate', does: 'gives the sample rate of CSV recordings' },
  columns: { flag: '--columns', does: 'selects the channel columns' },
  data: { flag: '--data', does: 'gives representative data (the data the extractor was trained on)' },
  package: { flag: '--package', does: 'names the model package' },
  protocol: { flag: '--protocol', does: 'names the calibration protocol' },
  replay: { flag: '--replay', does: 'names the recordings to play' },
  valPeople: { flag: '--val-people', does: 'chooses the people held out for validation' },
  timeScale: { flag: '--time-scale', does: 'scales every duration of the protocol' },
  calibrationWindows: { flag: '--calibration-windows', does: 'sets the number of calibration windows' },
  checkWindows: { flag: '--check-windows', does: 'sets the number of check windows' },
  inputScaling: { flag: '--input-scaling', does: 'chooses the input scaling' },
  cycles: { flag: '--cycles', does: 'chooses the values of k' },
  samplesPerFrame: { flag: '--samples-per-frame', does: 'sets the samples in each frame' },
};

function optionTerm(command: Command | undefined, flag: string): string | undefined {
  return command?.options.find((o) => o.long === flag)?.flags;
}

/** The advice for this error in this verb (none when the verb is unknown and the hint needs a flag). */
export function hintsFor(err: HeadstartError, command: Command | undefined): string[] {
  const out: string[] = [];
  for (const hint of HINTS[err.code] ?? []) {
    if (hint.flag !== undefined && optionTerm(command, hint.flag) === undefined) continue;
    const line = typeof hint.text === 'string' ? hint.text : hint.text(err.details);
    if (line !== undefined) out.push(line);
  }
  const setting = SETTINGS[String(err.details['setting'])];
  const term = setting && optionTerm(command, setting.flag);
  if (setting && term) out.push(`${term} ${setting.does}`);
  return out;
}

/** The flags the hints can name, for the test that every one of them is a real option of some verb. */
export function hintFlags(): string[] {
  return [...new Set([...Object.values(HINTS).flatMap((hs) => (hs ?? []).flatMap((h) => (h.flag ? [h.flag] : []))), ...Object.values(SETTINGS).map((s) => s.flag)])];
}
