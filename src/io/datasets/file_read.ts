/**
 * Reading a whole data file, with the failures a user can act on (no such
 * file, a folder, no permission) as HeadstartErrors naming the file.
 */
import { readFileSync, statSync } from 'node:fs';
import { HeadstartError } from '../../core/errors.ts';

/**
 * Refuses a path that exists but is not a regular file or a folder: reading
 * a named pipe with no writer, or a device such as /dev/zero, never ends.
 */
export function refuseSpecialFile(path: string, expected: string): void {
  let kind: string | undefined;
  try {
    const s = statSync(path);
    if (s.isFIFO()) kind = 'a named pipe';
    else if (s.isSocket()) kind = 'a socket';
    else if (s.isCharacterDevice() || s.isBlockDevice()) kind = 'a device';
  } catch {
    return; // Missing or unreadable: the read that follows says so.
  }
  if (kind) throw new HeadstartError('WRONG_PATH_TYPE', `${path}: is ${kind}, not a file; expected ${expected} (save what it carries to a file first)`, { file: path });
}

/** The file's bytes; `expected` says what it should be ("an EDF file") for the error when it is a folder. */
export function readFileBytes(path: string, expected: string): Buffer {
  refuseSpecialFile(path, expected);
  try {
    return readFileSync(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new HeadstartError('FILE_NOT_FOUND', `${path}: no such file`, { file: path });
    if (code === 'EISDIR') throw new HeadstartError('WRONG_PATH_TYPE', `${path}: is a folder, expected ${expected}`, { file: path });
    throw new HeadstartError('FILE_ACCESS', `${path}: cannot read (${code ?? (err as Error).message})`, { file: path });
  }
}
