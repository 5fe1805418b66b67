/**
 * Where a user's calibration recordings live, beside their profile:
 *
 *   <data dir>/profiles/<user>/calibration/journal.hsrec   the session in progress (or interrupted)
 *   <data dir>/profiles/<user>/calibration/sessions/*.hsrec finished sessions
 *   <data dir>/profiles/<user>/calibration/sessions.json    which finished session supplies which gesture
 *   <data dir>/profiles/<user>/report.html                  the latest calibration report
 *
 * `--only <gesture>` records a new session of one gesture; the index then
 * takes that gesture from it and every other gesture from where it came
 * from before, so the head is retrained on the whole set.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HeadstartError } from '../../core/errors.ts';
import { writeFileAtomic } from '../../io/atomic_file.ts';
import { type CalibrationProtocol, parseProtocol } from './protocol.ts';

export const CALIBRATION_DIR = 'calibration';
export const JOURNAL_FILE = 'journal.hsrec';
export const SESSIONS_DIR = 'sessions';
export const SESSION_INDEX_FILE = 'sessions.json';
export const REPORT_FILE = 'report.html';

export interface IndexedSession {
  /** Path relative to the calibration folder. */
  file: string;
  /** Gesture ids this session supplies to the profile. */
  gestures: string[];
}

export interface SessionIndex {
  protocol: CalibrationProtocol;
  sessions: IndexedSession[];
}

export interface CalibrationPaths {
  userDir: string;
  dir: string;
  journal: string;
  sessions: string;
  index: string;
  report: string;
}

export function calibrationPaths(userDir: string): CalibrationPaths {
  const dir = join(userDir, CALIBRATION_DIR);
  return { userDir, dir, journal: join(dir, JOURNAL_FILE), sessions: join(dir, SESSIONS_DIR), index: join(dir, SESSION_INDEX_FILE), report: join(userDir, REPORT_FILE) };
}

export function readSessionIndex(path: string): SessionIndex | undefined {
  if (!existsSync(path)) return undefined;
  let value: { protocol?: unknown; sessions?: unknown };
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new HeadstartError('BAD_JOURNAL', `${path}: not valid JSON (${(err as Error).message}); remove it and calibrate from scratch`);
  }
  const sessions = value.sessions;
  if (!Array.isArray(sessions) || !sessions.every((s) => typeof s?.file === 'string' && Array.isArray(s?.gestures) && s.gestures.every((g: unknown) => typeof g === 'string'))) {
    throw new HeadstartError('BAD_JOURNAL', `${path}: "sessions" is not a list of {file, gestures}; remove it and calibrate from scratch`);
  }
  return { protocol: parseProtocol(value.protocol, `${path} (protocol)`), sessions };
}

/** The index after a new session that supplies `gestures` (they are taken away from older sessions). */
export function withSession(previous: SessionIndex | undefined, protocol: CalibrationProtocol, session: IndexedSession): SessionIndex {
  const kept = (previous?.sessions ?? [])
    .map((s) => ({ file: s.file, gestures: s.gestures.filter((g) => !session.gestures.includes(g)) }))
    .filter((s) => s.gestures.length > 0);
  return { protocol, sessions: [...kept, session] };
}

export function writeSessionIndex(path: string, index: SessionIndex): void {
  writeFileAtomic(path, JSON.stringify(index, null, 2) + '\n');
}
