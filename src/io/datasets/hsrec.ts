/**
 * Recording files (`.hsrec`, see src/core/recording_format.ts) on disk:
 * reading them as labelled recordings, writing them whole, and appending to
 * them crash-safely as a calibration session records.
 *
 * Crash safety: a new file gets its header through a temp file that is
 * fsynced and renamed into place, so a file either exists with a valid header
 * or not at all. After that, every append is one write of one whole chunk;
 * `sync()` makes what was appended durable. A crash can tear only the last
 * chunk, which readers drop and `resumeRecordingFile` truncates away.
 */
import { closeSync, fsyncSync, ftruncateSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { HeadstartError } from '../../core/errors.ts';
import {
  HSREC_EXTENSION,
  decodeRecording,
  type DecodedRecording,
  encodeMarkerChunk,
  encodeRecording,
  encodeRecordingHeader,
  encodeSamplesChunk,
  labelledSegments,
  type RecordingHeader,
  type RecordingMarker,
} from '../../core/recording_format.ts';
import { fsyncDir } from '../atomic_file.ts';
import type { Dataset, DatasetAdapter, DatasetRecording, DatasetSpec } from './types.ts';
import { refuseSpecialFile } from './file_read.ts';

export function readRecordingFile(path: string): DecodedRecording {
  let bytes: Buffer;
  refuseSpecialFile(path, 'a .hsrec recording');
  try {
    bytes = readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new HeadstartError('FILE_NOT_FOUND', `${path}: no such file`, { file: path });
    if (code === 'EISDIR') throw new HeadstartError('WRONG_PATH_TYPE', `${path}: is a folder, expected a .hsrec recording`, { file: path });
    throw new HeadstartError('FILE_ACCESS', `${path}: cannot read (${code ?? (err as Error).message})`, { file: path });
  }
  return decodeRecording(bytes, path);
}

/**
 * The labelled segments of a decoded recording as separate recordings (one
 * per 'label' marker), carrying the header's subject and session.
 */
export function segmentRecordings(decoded: DecodedRecording, path: string): DatasetRecording[] {
  const { header, samples } = decoded;
  const count = samples.length / header.channels;
  return labelledSegments(decoded.markers, count).map((s) => ({
    source: `${path} [samples ${s.start}..${s.end})`,
    channels: header.channels,
    rate: header.rate,
    samples: samples.slice(s.start * header.channels, s.end * header.channels),
    label: s.label,
    ...(s.rep === undefined ? {} : { rep: s.rep }),
    ...(header.subject === undefined ? {} : { subject: header.subject }),
    ...(header.session === undefined ? {} : { session: header.session }),
  }));
}

/** Writes a whole recording atomically (temp file, fsync, rename). */
export function writeRecordingFile(path: string, header: RecordingHeader, samples: ArrayLike<number>, markers: RecordingMarker[] = []): void {
  writeAtomically(path, encodeRecording(header, samples, markers));
}

function writeAtomically(path: string, bytes: Uint8Array): void {
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.tmp`);
  try {
    const fd = openSync(temp, 'w');
    try {
      writeSync(fd, bytes);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, path);
    fsyncDir(dirname(path));
  } catch (err) {
    rmSync(temp, { force: true });
    throw ioError(path, 'write', err);
  }
}

function ioError(path: string, what: string, err: unknown): HeadstartError {
  if (err instanceof HeadstartError) return err;
  const code = (err as NodeJS.ErrnoException).code;
  const hint = code === 'ENOENT' ? ' (does its folder exist?)' : code === 'ENOSPC' ? ' (the disk is full)' : '';
  return new HeadstartError('FILE_ACCESS', `${path}: cannot ${what} (${code ?? (err as Error).message})${hint}`, { file: path });
}

/** Appends chunks to an open recording file. Not shared between processes. */
export class RecordingAppender {
  private fd: number | undefined;
  private written: number;

  /** Use createRecordingFile or resumeRecordingFile. */
  constructor(
    readonly path: string,
    readonly header: RecordingHeader,
    fd: number,
    samplesWritten: number,
  ) {
    this.fd = fd;
    this.written = samplesWritten;
  }

  /** Samples (per channel) in the file so far: the `at` of a marker placed now. */
  get sampleCount(): number {
    return this.written;
  }

  appendSamples(samples: ArrayLike<number>): void {
    this.write(encodeSamplesChunk(this.header, samples));
    this.written += samples.length / this.header.channels;
  }

  /** Appends a marker; `at` defaults to the current sample count. */
  mark(marker: Omit<RecordingMarker, 'at'> & { at?: number }): void {
    this.write(encodeMarkerChunk({ ...marker, at: marker.at ?? this.written }));
  }

  /** Makes everything appended so far durable. */
  sync(): void {
    try {
      fsyncSync(this.openFd());
    } catch (err) {
      throw ioError(this.path, 'sync', err);
    }
  }

  close(): void {
    if (this.fd === undefined) return;
    const fd = this.fd;
    this.fd = undefined;
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }

  private write(chunk: Uint8Array): void {
    const fd = this.openFd();
    try {
      writeSync(fd, chunk);
    } catch (err) {
      throw ioError(this.path, 'append to', err);
    }
  }

  private openFd(): number {
    if (this.fd === undefined) throw new HeadstartError('INTERNAL', `${this.path}: the recording was closed; resume it to append more`);
    return this.fd;
  }
}

/** Creates a new recording file (refusing to overwrite one) and opens it for appending. */
export function createRecordingFile(path: string, header: RecordingHeader): RecordingAppender {
  let exists = false;
  try {
    closeSync(openSync(path, 'r'));
    exists = true;
  } catch {
    // absent: good
  }
  if (exists) throw new HeadstartError('FILE_EXISTS', `${path}: already exists; resume it or choose another name`, { file: path });
  writeAtomically(path, encodeRecordingHeader(header));
  return new RecordingAppender(path, header, openAppend(path), 0);
}

/**
 * Reopens a recording after a crash or a pause: drops a torn last chunk
 * (truncating the file to its intact part) and appends after it. Returns
 * what the file held.
 */
export function resumeRecordingFile(path: string): { appender: RecordingAppender; existing: DecodedRecording } {
  const existing = readRecordingFile(path);
  const fd = openAppend(path);
  try {
    if (existing.tornBytes > 0) {
      ftruncateSync(fd, existing.intactBytes);
      fsyncSync(fd);
    }
  } catch (err) {
    closeSync(fd);
    throw ioError(path, 'truncate the torn tail of', err);
  }
  return { appender: new RecordingAppender(path, existing.header, fd, existing.samples.length / existing.header.channels), existing };
}

function openAppend(path: string): number {
  try {
    return openSync(path, 'a');
  } catch (err) {
    throw ioError(path, 'open for appending', err);
  }
}

/** The whole of a decoded recording as one recording, where its label changes kept beside it (for a replay). */
function wholeRecording(decoded: DecodedRecording, path: string): DatasetRecording {
  const { header } = decoded;
  const labelChanges = decoded.markers
    .filter((m) => m.kind === 'label')
    .sort((a, b) => a.at - b.at)
    .map((m) => ({ at: m.at, label: m.label ?? null }));
  return {
    source: path,
    channels: header.channels,
    rate: header.rate,
    samples: decoded.samples,
    labelChanges,
    ...(header.subject === undefined ? {} : { subject: header.subject }),
    ...(header.session === undefined ? {} : { session: header.session }),
  };
}

/** headstart's own recordings: one labelled recording per 'label' marker, or each file whole (`whole`). */
export const hsrecAdapter: DatasetAdapter = {
  kind: 'hsrec',
  describes: `${HSREC_EXTENSION} recordings`,
  matchesFile: (path) => path.endsWith(HSREC_EXTENSION),
  read(files: string[], spec: DatasetSpec): Dataset {
    const warnings: string[] = [];
    let classes: string[] | undefined;
    let classesFrom = '';
    const recordings = files.flatMap((f) => {
      const decoded = readRecordingFile(f);
      if (decoded.tornBytes > 0) warnings.push(`${f}: dropped a torn last chunk of ${decoded.tornBytes} bytes (the recording was interrupted)`);
      const own = decoded.header.classes;
      if (own !== undefined) {
        if (classes !== undefined && JSON.stringify(classes) !== JSON.stringify(own)) {
          throw new HeadstartError('MIXED_RECORDINGS', `${f}: classes ${own.join(', ')} differ from ${classesFrom}'s (${classes.join(', ')}); recordings of one data set must share a class list`);
        }
        classes = own;
        classesFrom = f;
      }
      if (spec.whole) return [wholeRecording(decoded, f)];
      const segments = segmentRecordings(decoded, f);
      if (segments.length === 0) warnings.push(`${f}: no labelled segments (no 'label' markers), nothing taken from it`);
      return segments;
    });
    if (recordings.length === 0) throw new HeadstartError('NOT_ENOUGH_DATA', `${files.length === 1 ? files[0] : `${files.length} recordings`}: no labelled segments to use`);
    const labelsOf = (r: DatasetRecording): number[] => (spec.whole ? (r.labelChanges ?? []).flatMap((c) => (c.label === null ? [] : [c.label])) : r.label === undefined ? [] : [r.label]);
    const maxLabel = recordings.reduce((m, r) => Math.max(m, ...labelsOf(r)), -1);
    const names = classes ?? Array.from({ length: maxLabel + 1 }, (_, i) => String(i));
    const outside = recordings.find((r) => labelsOf(r).some((l) => l >= names.length));
    if (outside) throw new HeadstartError('BAD_LABEL', `${outside.source}: label ${labelsOf(outside).find((l) => l >= names.length)} is outside the class list (${names.join(', ')})`);
    return { kind: 'hsrec', classes: names, channels: recordings[0].channels, rate: recordings[0].rate, recordings, warnings };
  },
};
