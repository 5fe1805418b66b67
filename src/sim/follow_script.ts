/**
 * `headstart sim --follow <protocol>`: the virtual board plays a person of a
 * labelled data set as they would follow a calibration protocol from its
 * first prompt (see person_script.ts), so `headstart calibrate --auto` can
 * run end to end without hardware. The recordings are read as `sim
 * --replay` reads them (the data set reader, one session unless sessions
 * are selected). The board must be started by that calibration (its first
 * sample is the session's first sample), and the session must run without
 * redos: the simulated wearer does not see the screen, they only keep to
 * the protocol's timing.
 */
import { preprocessRecording } from '../core/dsp/preprocess.ts';
import type { DatasetSpec } from '../io/datasets/index.ts';
import type { ReplayScript } from './replay_script.ts';
import { readReplayDataset } from './replay_source.ts';
import { personFromDataset, personScript } from './person_script.ts';
import { buildPlan } from '../device/calibration/plan.ts';
import { type CalibrationProtocol, loadProtocol } from '../device/calibration/protocol.ts';

/**
 * With `rate`, the person is played as a board of that rate records them
 * (a Cyton's 250 Hz for eegmat's 500 Hz): each recording is resampled
 * before the plan, which then counts the board's samples, as the
 * calibration will.
 */
export function followingScript(recordings: DatasetSpec | string, followed: CalibrationProtocol | string, timeScale = 1, rate?: number): ReplayScript {
  const spec = typeof recordings === 'string' ? { path: recordings } : recordings;
  const protocol = typeof followed === 'string' ? loadProtocol(followed) : followed;
  const dataset = readReplayDataset(spec);
  const boardRate = rate ?? dataset.rate;
  const plan = buildPlan(protocol, { rate: boardRate, timeScale });
  const played = boardRate === dataset.rate ? dataset.recordings : dataset.recordings.map((r) => preprocessRecording(r, { rate: boardRate, filters: [] }));
  const person = personFromDataset(played, dataset.classes, protocol.gestures.map((g) => g.id));
  const script = personScript(person, plan, plan.trials);
  return { ...script, source: `${spec.path} following ${protocol.name} (time scale ${timeScale})` };
}
