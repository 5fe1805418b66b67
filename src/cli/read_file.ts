import { readFileSync } from 'node:fs';
import { HeadstartError } from '../core/errors.ts';
import { refuseSpecialFile } from '../io/datasets/file_read.ts';

/** A whole file given on the command line, with the error a person can act on: missing, a folder, or unreadable. */
export function readGivenFile(path: string, what: string): Uint8Array {
  refuseSpecialFile(path, what);
  try {
    return new Uint8Array(readFileSync(path));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new HeadstartError('FILE_NOT_FOUND', `${path}: no such file (expected ${what})`, { file: path });
    if (code === 'EISDIR') throw new HeadstartError('WRONG_PATH_TYPE', `${path}: is a folder, expected ${what}`, { file: path });
    throw new HeadstartError('FILE_ACCESS', `${path}: cannot read (${code ?? (err as Error).message})`, { file: path });
  }
}

/** Runs `read` on a file's contents; a model or format error from it names the file (the readers see bytes, not paths). */
export function namingFile<T>(path: string, read: () => T): T {
  try {
    return read();
  } catch (err) {
    if (err instanceof HeadstartError && (err.code === 'NOT_TFLITE' || err.code === 'TFLITE_CORRUPT' || err.code === 'TFLITE_UNSUPPORTED') && !err.message.startsWith(path)) {
      throw new HeadstartError(err.code, `${path}: ${err.message}`, { ...err.details, file: path });
    }
    throw err;
  }
}
