/**
 * Every error code headstart throws, with the class it belongs to and what it
 * means. Scripts match on the code (`headstart ... --json` prints it); the
 * class decides the CLI's exit status. A code not listed here does not
 * typecheck, and a test checks that every code listed is thrown somewhere.
 *
 * One code per thing a script could act on: the message and the details
 * (file, line, field...) say which file or value it was.
 */

/** What kind of failure a code is; the CLI maps each class to an exit status. */
export const ERROR_CLASSES = {
  usage: 'a flag or argument is missing, unknown, malformed or out of range: fix the command line',
  input: 'a file or data set given is missing, unreadable, damaged or does not fit (recordings, model packages, models, protocols, profiles)',
  device: 'the board, its link, a runtime or a tool this machine needs failed or is missing',
  check: 'the work ran, but its result failed the check it must pass',
  interrupted: 'stopped by a signal (Ctrl-C, SIGTERM, SIGHUP) before the work was done',
  internal: 'a bug in headstart',
} as const;

export type ErrorClass = keyof typeof ERROR_CLASSES;

interface CodeEntry {
  readonly class: ErrorClass;
  readonly meaning: string;
}

export const ERROR_CODES = {
  // usage
  UNKNOWN_OPTION: { class: 'usage', meaning: 'an option or verb headstart does not know, or more arguments than the verb takes' },
  MISSING_OPTION: { class: 'usage', meaning: 'a required option or argument is missing, or options that go together are not given together' },
  BAD_OPTION: { class: 'usage', meaning: "an option's or setting's value is malformed, out of range, or conflicts with another option or with the data" },
  NO_TERMINAL: { class: 'usage', meaning: 'an interactive verb was run without a terminal, and not asked to run unattended' },

  // input: files and folders
  FILE_NOT_FOUND: { class: 'input', meaning: 'a file or folder given, or named by a package, profile or report, does not exist' },
  FILE_ACCESS: { class: 'input', meaning: "a file or folder exists but cannot be read or written (the system's reason is given)" },
  WRONG_PATH_TYPE: { class: 'input', meaning: 'a path is a folder where a file is expected, or a file where a folder is' },
  FILE_EXISTS: { class: 'input', meaning: 'a file that would be created already exists and is not overwritten' },
  UNKNOWN_FORMAT: { class: 'input', meaning: 'a path is not in a format headstart reads (by its name or content)' },
  FORMAT_TOO_NEW: { class: 'input', meaning: 'a package, profile or recording is in a format version this headstart does not read: upgrade headstart' },

  // input: data sets and recordings
  NO_RECORDINGS: { class: 'input', meaning: 'a path, folder or pattern holds no recordings headstart reads' },
  EMPTY_SELECTION: { class: 'input', meaning: 'a selection of people or sessions names some the data does not hold, or leaves nothing' },
  NOT_ENOUGH_DATA: { class: 'input', meaning: 'the data holds too little for the job: no labelled segments, no windows, no person with both calibration and test recordings' },
  MIXED_RECORDINGS: { class: 'input', meaning: 'recordings read together differ in channels, rate, format or class list, or a folder mixes data sets that must stay apart' },
  DATA_PACKAGE_MISMATCH: { class: 'input', meaning: "the data's channels, rate or windows differ from what the model package's extractor takes" },
  BAD_RECORDING: { class: 'input', meaning: 'a recording file is damaged or not what its name says (.hsrec header, chunk or marker; a Myo .dat of the wrong size)' },
  BAD_FILE_NAME: { class: 'input', meaning: 'a recording\'s file name does not give what is needed: the label pattern does not match it, its label or repetition is unusable, or a Myo file is not named classe_<i>.dat' },
  BAD_LABEL: { class: 'input', meaning: "a recording's label is missing or not among the data set's classes" },
  CSV_MALFORMED: { class: 'input', meaning: 'a text table (CSV, OpenBCI GUI, BrainFlow) has no samples, a header that cannot be read, or rows of different lengths' },
  CSV_BAD_VALUE: { class: 'input', meaning: 'a cell of a text table (CSV, OpenBCI GUI, BrainFlow) is not a finite number (text, empty, NaN, Infinity, out of range)' },
  BAD_CHANNELS: { class: 'input', meaning: 'the channels asked for do not fit the file: not in it (a column index, header name or label it lacks), named twice or ambiguously, not signals, or of different sample rates' },
  NOT_FINITE: { class: 'input', meaning: 'the data, or what the float model makes of it, holds values that are not finite numbers' },

  // input: model packages and models
  NO_MODEL_PACKAGE: { class: 'input', meaning: 'no model package was given and none is shipped with this install' },
  BAD_PACKAGE: { class: 'input', meaning: "a model package is damaged or inconsistent: its manifest, a file's hash, its float model, or its extractor's shapes" },
  PACKAGE_NOT_EXPORTED: { class: 'input', meaning: 'a model package has no int8 extractor yet (headstart export adds it)' },
  NOT_TFLITE: { class: 'input', meaning: 'a file given as a TensorFlow Lite model is not one' },
  TFLITE_CORRUPT: { class: 'input', meaning: 'a TensorFlow Lite file is damaged or crafted: truncated, offsets, strings, indices, enums, shapes, buffers, quantization or headstart metadata invalid' },
  UNSUPPORTED_LAYER: { class: 'input', meaning: 'a model to import has a layer (or a layer setting) the int8 exporter cannot write as TensorFlow Lite Micro builtins' },
  TFLITE_UNSUPPORTED: { class: 'input', meaning: 'a valid TensorFlow Lite model uses something headstart does not read or feed (schema version, sparse tensors, tensor types)' },
  BAD_INPUT_VALUES: { class: 'input', meaning: "input values given for a model do not fit its inputs (count, size, type or range)" },

  // input: profiles, protocols, calibrations
  PROFILE_NOT_FOUND: { class: 'input', meaning: 'no profile, or no version of it, by the name given' },
  BAD_PROFILE: { class: 'input', meaning: 'a saved profile (or the head in it) is damaged or not a headstart profile' },
  NO_CURRENT_VERSION: { class: 'input', meaning: "a profile's pointer to the version in use (current.json) is missing, damaged or names a version that is gone: choose one (profile use)" },
  PROFILE_VERSION_IN_USE: { class: 'input', meaning: 'the profile version to remove is the one in use (and not damaged)' },
  NO_OLDER_PROFILE: { class: 'input', meaning: 'a profile has no older version to roll back to' },
  PROFILE_EXTRACTOR_MISMATCH: { class: 'input', meaning: "a profile's head was trained for another extractor than the model package's" },
  BAD_PROTOCOL: { class: 'input', meaning: 'a calibration protocol file is not valid JSON or breaks the protocol format' },
  UNKNOWN_GESTURE: { class: 'input', meaning: 'a gesture named is not in the calibration protocol' },
  NO_GESTURE_RECORDING: { class: 'input', meaning: 'a simulated wearer has no recording of a gesture (or of rest) the protocol prompts' },
  HOLDS_TOO_SHORT: { class: 'input', meaning: "the protocol's holds are too short for one window of the model package" },
  BAD_JOURNAL: { class: 'input', meaning: "a calibration's journal or session index is damaged" },
  SESSION_IN_PROGRESS: { class: 'input', meaning: 'an interrupted calibration of this profile exists: resume it or remove its journal' },
  NOTHING_TO_RESUME: { class: 'input', meaning: 'there is no interrupted calibration of this profile to resume' },
  NO_CALIBRATION: { class: 'input', meaning: 'a gesture cannot be re-recorded: the profile has no full calibration yet' },
  PROTOCOL_CHANGED: { class: 'input', meaning: 'a gesture is re-recorded with another protocol than the profile was calibrated with' },

  // device: ports, links, boards
  PORT_NOT_FOUND: { class: 'device', meaning: 'no serial port at the path given' },
  PORT_ACCESS_DENIED: { class: 'device', meaning: 'the serial port exists but this user may not open it' },
  PORT_BUSY: { class: 'device', meaning: 'another program holds the serial port' },
  PORT_OPEN_FAILED: { class: 'device', meaning: 'a serial port or pseudo-terminal could not be opened or made, for another reason (given)' },
  PORT_LIST_FAILED: { class: 'device', meaning: "this machine's serial ports cannot be listed" },
  PORT_LOST: { class: 'device', meaning: 'the serial port vanished during the session and did not come back in time' },
  LINK_CLOSED: { class: 'device', meaning: 'the link to the board closed, or bytes could not be sent, before the work was done' },
  BOARD_SILENT: { class: 'device', meaning: 'the board does not answer or stopped sending: no HELLO, START not acknowledged, a Firmata board not ready, no samples for too long' },
  BOARD_MISMATCH: { class: 'device', meaning: "the board's channels or sample rate do not fit what is expected (the model package's, or a resampleable rate)" },
  BOARD_CHANGED: { class: 'device', meaning: 'the board changed its set-up (channels, rate) during or between sessions' },
  PROTOCOL_VERSION_MISMATCH: { class: 'device', meaning: 'the board speaks another version of the headstart wire protocol' },
  BOARD_ERROR: { class: 'device', meaning: 'a Firmata board (johnny-five) or another output reported an error or failed to close' },
  LISTEN_FAILED: { class: 'device', meaning: 'the web dashboard cannot listen on the address given (the port is in use, or the address is not one of this machine\'s)' },

  // device: runtimes and tools
  MISSING_DEPENDENCY: { class: 'device', meaning: 'a program or package headstart needs here is not installed, or not the version it needs (socat, firmata, the wasm backend)' },
  NATIVE_RUNTIME_UNAVAILABLE: { class: 'device', meaning: 'the official TensorFlow Lite runtime cannot load on this machine' },
  NATIVE_RUNTIME_FAILED: { class: 'device', meaning: 'the official TensorFlow Lite runtime rejected the model or failed to run it' },
  UNSUPPORTED_OPERATOR: { class: 'device', meaning: 'the TypeScript interpreter does not run an operator or tensor type of this model (the official runtime may)' },
  BACKEND_UNAVAILABLE: { class: 'device', meaning: 'no TensorFlow.js backend (or not the one asked for) can start here' },

  // check
  IMPORT_CHECK_FAILED: { class: 'check', meaning: 'an imported model, copied into headstart\'s layout, does not compute the same embedding as the original' },
  QUANTIZATION_CHECK_FAILED: { class: 'check', meaning: 'the int8 extractor agrees too little with the float one to be written' },

  // interrupted
  INTERRUPTED: { class: 'interrupted', meaning: 'the work was stopped by a signal before it was done' },

  // internal
  INTERNAL: { class: 'internal', meaning: 'a check inside headstart failed (a function called against its contract): a bug, to be reported with the command that caused it' },
} as const satisfies Record<string, CodeEntry>;

export type ErrorCode = keyof typeof ERROR_CODES;

export function errorClassOf(code: ErrorCode): ErrorClass {
  return ERROR_CODES[code].class;
}

export function isErrorCode(text: string): text is ErrorCode {
  return Object.prototype.hasOwnProperty.call(ERROR_CODES, text);
}
