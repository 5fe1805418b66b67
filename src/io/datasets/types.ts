/**
 * What every data set adapter returns: labelled recordings plus the class
 * list their `label` indices point into; what a caller asks for (a
 * DatasetSpec); and what an adapter is (DatasetAdapter), so that a format is
 * added by writing one adapter and listing it in index.ts.
 */
import type { Recording } from '../../core/signal.ts';
import type { ColumnRef } from './csv.ts';

/** From sample `at` (per channel, within the recording) on, the class `label` is in force; null: unlabelled from there. */
export interface DatasetLabelChange {
  at: number;
  label: number | null;
}

/** An event the file marks in the recording: an EDF+ annotation, an OpenBCI marker. */
export interface DatasetMarker {
  /** Sample index (per channel, from the start of the recording) where it begins. */
  sample: number;
  text: string;
  /** How long it lasts, in seconds, when the file says. */
  duration?: number;
}

export interface DatasetRecording extends Recording {
  /** The recording session within a person when the data set has several (Myo: training0, Test0, Test1). */
  session?: string;
  /** The channels' labels as the file names them, in channel order, when it names them. */
  channelNames?: string[];
  /** Events marked in the file, in time order, when it has any. */
  markers?: DatasetMarker[];
  /**
   * When the recording was read whole (`DatasetSpec.whole`) from a format
   * that labels stretches of a recording (.hsrec label markers): where its
   * label changes, in increasing `at`. A replay sends them as EVENTs.
   */
  labelChanges?: DatasetLabelChange[];
}

export type DatasetKind = 'myo' | 'csv' | 'hsrec' | 'edf' | 'openbci-gui' | 'brainflow' | 'eegmat';

export interface Dataset {
  kind: DatasetKind;
  /** Class names; a recording's `label` is an index into this list. */
  classes: string[];
  channels: number;
  rate: number;
  recordings: DatasetRecording[];
  /** Things a caller should show the user (e.g. a torn recording tail that was dropped). */
  warnings: string[];
}

export interface DatasetSpec {
  /** A folder, a file or a glob (see index.ts). */
  path: string;
  /** CSV: samples per second (required). Other formats: checked against what the files say, when given. */
  rate?: number;
  /** CSV: channel columns by 0-based index or header name. */
  columns?: ColumnRef[];
  /**
   * Formats that name their channels (EDF/BDF, OpenBCI GUI, BrainFlow,
   * eegmat): the channels to read, by label, in this order (`F3`, `EEG F3`,
   * `EXG Channel 0` or `0`; see channel_labels.ts). Default: all of the
   * file's signals (eegmat: its 19 EEG channels).
   */
  channels?: string[];
  /** BrainFlow CSV: the board that recorded it (cyton, cyton-daisy, ganglion...); inferred when absent. */
  board?: string;
  /** CSV, EDF/BDF, OpenBCI GUI, BrainFlow: regex with named groups `label`, and optionally `rep`, `subject`, `session`, matched on file names. */
  labelPattern?: RegExp | string;
  /** With a label pattern: class names the labels refer to (default: whole-number labels as indices, else sorted names). */
  classes?: string[];
  /** CSV: force a header row present or absent. */
  header?: boolean;
  /** CSV: force the delimiter. */
  delimiter?: string;
  /** Keep only these sessions (Myo: training0, Test0, Test1). */
  sessions?: string[];
  /** Keep only these people. */
  people?: string[];
  /**
   * Each recording whole, unlabelled stretches included, with where its
   * label changes in `labelChanges`, rather than one recording per labelled stretch:
   * what a replay plays. Formats of one labelled recording per file (Myo,
   * CSV) read the same either way.
   */
  whole?: boolean;
}

/**
 * One format. loadDataset asks each adapter, in the order of its table,
 * whether it reads a folder as a whole (a layout of its own), then sorts a
 * folder's or a glob's files by which adapter matches their names; files
 * no adapter matches are left out of a folder and refused when named.
 */
export interface DatasetAdapter {
  readonly kind: DatasetKind;
  /** The files it reads, for messages: "Myo classe_<i>.dat files". */
  readonly describes: string;
  /**
   * True for a file it reads, judged by its name, or by how it starts when
   * formats share a name (an OpenBCI GUI file is a .txt like a CSV table):
   * `start()` gives the file's first bytes, read once for all adapters.
   * Adapters that look at the content come before those that do not.
   */
  matchesFile(path: string, start: () => Uint8Array): boolean;
  /** True for a folder it reads as a whole by a layout of its own (Myo person folders); a folder of files it matches needs none. */
  matchesFolder?(dir: string): boolean;
  /** Reads, as one data set, the files it matched (in the order given) or the one folder it matched. */
  read(paths: string[], spec: DatasetSpec): Dataset;
}
