/**
 * Labels from file names for the formats that hold one recording (or a
 * few stretches of one) per file with no label inside: EDF/BDF, OpenBCI GUI
 * and BrainFlow files. The label pattern and class list work as for CSV
 * (csv.ts): `--label-pattern 'S(?<subject>\d+)_(?<label>rest|task)'`. Without
 * a pattern the recordings stay unlabelled (fine for `dataset`, `sim`).
 */
import { HeadstartError } from '../../core/errors.ts';
import { compileLabelPattern, fileNameFields, resolveClasses } from './csv.ts';
import type { DatasetRecording, DatasetSpec } from './types.ts';

export interface FileRecordings {
  path: string;
  recordings: DatasetRecording[];
}

/** Every recording of each file takes the label, repetition, person and session its file name gives; the class list they share. */
export function labelByFileName(files: FileRecordings[], spec: Pick<DatasetSpec, 'labelPattern' | 'classes'>): { recordings: DatasetRecording[]; classes: string[] } {
  if (spec.labelPattern === undefined) return { recordings: files.flatMap((f) => f.recordings), classes: spec.classes ?? [] };
  const pattern = compileLabelPattern(spec.labelPattern);
  const named = files.map((f) => ({ ...f, fields: fileNameFields(f.path, pattern) }));
  const resolved = resolveClasses(
    named.flatMap((n) => (n.fields.label === undefined ? [] : [n.fields.label])),
    spec.classes,
  );
  const recordings = named.flatMap(({ path, fields, recordings: own }) => {
    const label = fields.label === undefined ? undefined : resolved.indexOf(fields.label);
    if (fields.label !== undefined && label === undefined) {
      throw new HeadstartError('BAD_LABEL', `${path}: label "${fields.label}" is not among the classes (${resolved.classes.join(', ')})`, { file: path });
    }
    return own.map((r) => ({
      ...r,
      ...(label === undefined ? {} : { label }),
      ...(fields.rep === undefined ? {} : { rep: fields.rep }),
      ...(fields.subject === undefined ? {} : { subject: fields.subject }),
      ...(fields.session === undefined ? {} : { session: fields.session }),
    }));
  });
  return { recordings, classes: resolved.classes };
}

/** The one channel layout of a data set's recordings, or an error naming the file that differs. */
export function sameChannelNames(recordings: DatasetRecording[]): void {
  const first = recordings[0];
  if (!first?.channelNames) return;
  for (const r of recordings) {
    if (r.channelNames && r.channelNames.join('\u0000') !== first.channelNames.join('\u0000')) {
      throw new HeadstartError(
        'MIXED_RECORDINGS',
        `${r.source}: channels ${r.channelNames.join(', ')} differ from ${first.source}'s (${first.channelNames.join(', ')}); choose the same channels in every file`,
        { file: r.source, setting: 'channels' },
      );
    }
  }
}
