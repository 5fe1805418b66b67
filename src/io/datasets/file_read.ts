/**
 * Reading a whole data file, with the failures a user can act on (no such
 * file, a folder, no permission) as HeadstartErrors naming the file.
 */
import { readFileSync } from 'node:fs';
import { HeadstartError } from '../../core/errors.ts';

/** The file's bytes; `expected` says what it should be ("an EDF file") for the error when it is a folder. */
export function readFileBytes(path: string, expected: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new HeadstartError('FILE_NOT_FOUND', `${path}: no such file`, { file: path });
    if (code === 'EISDIR') throw new HeadstartError('WRONG_PATH_TYPE', `${path}: is a folder, expected ${expected}`, { file: path });
    throw new HeadstartError('FILE_ACCESS', `${path}: cannot read (${code ?? (err as Error).message})`, { file: path });
  }
}
