/**
 * What every data set adapter returns: labelled recordings plus the class
 * list their `label` indices point into.
 */
import type { Recording } from '../../core/signal.ts';

export interface DatasetRecording extends Recording {
  /** The recording session within a person when the data set has several (Myo: training0, Test0, Test1). */
  session?: string;
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
