/**
 * What every data set adapter returns: labelled recordings plus the class
 * list their `label` indices point into.
 */
import type { Recording } from '../../core/signal.ts';

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
}

export type DatasetKind = 'myo' | 'csv' | 'hsrec';

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
