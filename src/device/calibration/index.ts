/** The calibration session's public API (the `calibrate` verb and the demo use these). */
export { runCalibration, type CalibrationOptions, type CalibrationResult } from './session.ts';
export { loadProtocol, parseProtocol, gestureIndex, type CalibrationProtocol, type ProtocolGesture } from './protocol.ts';
export { buildPlan, remainingTrials, type CalibrationPlan, type Trial } from './plan.ts';
export type { CalibrationCues, CalibrationView, Phase, SessionEvent, TrialInfo } from './events.ts';
export { packageCalibrationModel, type PackageModel } from './package_model.ts';
export type { CalibrationModel, HeadTrainer, TrainedHead } from './training.ts';
export { personFromDataset, personScript, type PersonRecordings } from '../../sim/person_script.ts';
export { TerminalView } from './terminal_view.ts';
export { LineView } from './line_view.ts';
export { johnnyFiveCues } from './johnny_five_cues.ts';
export { checkHold, DEFAULT_QUALITY, type QualityIssue } from './quality.ts';
export { judgeCalibration, type CalibrationVerdict } from './verdict.ts';
export { calibrationPaths } from './session_index.ts';
