/**
 * The profile store: `<data dir>/profiles/<user>/` holds one JSON file per
 * version (`v000001.json`, ...) and `current.json`, a pointer to the
 * version in use. Every file is written atomically (temp name, fsync,
 * rename, fsync of the folder), the version first and the pointer last, so
 * a crash at any moment leaves the old version in use or the new one,
 * never a torn file. The last `keep` versions are kept (and always the one
 * in use). One writer per user at a time.
 *
 * The pointer is never guessed around: when current.json is damaged, names
 * a version that is gone, or is missing beside several versions (a lone
 * version without a pointer is a first save cut short), the version in use is unknown
 * and loading "the profile" says so (NO_CURRENT_VERSION) rather than taking
 * the newest, which would undo a rollback. The calibration recordings
 * beside the versions (calibration/) are the wearer's raw data: removing a
 * profile keeps them unless asked.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { HeadstartError } from '../../core/errors.ts';
import { fsyncDir, writeFileAtomic } from '../../io/atomic_file.ts';
import { calibrationPaths, REPORT_FILE } from '../calibration/session_index.ts';
import { checkUserName, type ProfileData, PROFILE_FORMAT, PROFILE_FORMAT_VERSION, type SavedProfile, validateProfile } from './profile.ts';

export const PROFILES_DIR = 'profiles';
export const CURRENT_FILE = 'current.json';
export const DEFAULT_KEEP_VERSIONS = 5;

const VERSION_FILE = /^v(\d{6,})\.json$/;
/** writeFileAtomic's temporary names: `.<target>.<pid>.<ms>.tmp`. */
const TEMP_FILE = /^\..+\.(\d+)\.\d+\.tmp$/;

export function versionFileName(version: number): string {
  return `v${String(version).padStart(6, '0')}.json`;
}

export interface ProfileVersionSummary {
  version: number;
  current: boolean;
  createdAt?: string;
  headKind?: string;
  cvAccuracy?: number;
  cvMethod?: string;
  extractorSha256?: string;
  gestures?: string[];
  /** Set when the file could not be read as a profile: why. */
  damaged?: string;
}

export interface ProfileUserSummary {
  user: string;
  current: number | undefined;
  versions: number[];
  /** Set when the pointer to the version in use is missing, damaged or names a version that is gone: what is wrong. */
  pointerProblem?: string;
  /** The journal of an interrupted calibration of this user, when there is one. */
  interruptedCalibration?: string;
  /** Finished calibration recordings kept (calibration/sessions/*.hsrec). */
  recordings: number;
}

/** What current.json says: the version in use, or what is wrong with it (never both). */
export interface ProfilePointer {
  version?: number;
  problem?: string;
}

export interface ProfileRemoval {
  /** The version removed, or 'all'. */
  removed: number | 'all';
  /** After removing the (damaged) version in use: the version now in use, or null when no good one is left. */
  nowCurrent?: number | null;
  /** After removing the whole profile: where the calibration recordings kept are (absent when none were, or they were removed too). */
  keptRecordings?: string;
}

export interface RemoveOptions {
  /** With no version: also remove the calibration recordings (raw data that cannot be recorded again). */
  withRecordings?: boolean;
}

export interface ProfileStoreOptions {
  /** Versions kept per user (default 5); older ones are removed after each save. */
  keep?: number;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class ProfileStore {
  readonly dataDir: string;
  readonly root: string;
  readonly keep: number;

  constructor(dataDir: string, options: ProfileStoreOptions = {}) {
    const keep = options.keep ?? DEFAULT_KEEP_VERSIONS;
    if (!Number.isInteger(keep) || keep < 1) throw new HeadstartError('INTERNAL', `versions to keep must be a whole number >= 1 (got ${keep})`);
    this.dataDir = dataDir;
    this.root = join(dataDir, PROFILES_DIR);
    this.keep = keep;
  }

  userDir(user: string): string {
    checkUserName(user);
    return join(this.root, user);
  }

  /** Users with a profile folder, sorted. */
  users(): string[] {
    let names: string[];
    try {
      names = readdirSync(this.root, { withFileTypes: true }).filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name);
    } catch {
      return [];
    }
    return names.filter((n) => /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(n)).sort();
  }

  /** Version numbers present for a user, ascending (empty when none). */
  versionNumbers(user: string): number[] {
    const dir = this.userDir(user);
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return [];
    }
    return names
      .map((n) => VERSION_FILE.exec(n))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
  }

  /** The version in use, as current.json says; undefined when there is none or the pointer has a problem (see pointer()). */
  currentVersion(user: string): number | undefined {
    return this.pointer(user).version;
  }

  /** Reads current.json: the version in use, or what is wrong with the pointer (nothing when the user has no version at all). */
  pointer(user: string): ProfilePointer {
    const present = this.versionNumbers(user);
    if (present.length === 0) return {};
    const path = join(this.userDir(user), CURRENT_FILE);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
      // A first save cut short between its version and its pointer: the only version there is cannot undo a rollback.
      if (missing && present.length === 1) return { version: present[0]! };
      return { problem: missing ? `${path} is missing` : `${path} cannot be read (${(err as Error).message})` };
    }
    const v = this.#pointerValue(text);
    if (v === undefined) return { problem: `${path} is damaged (not {"version": <n>})` };
    if (!present.includes(v)) return { problem: `${path} names version ${v}, which is not there` };
    return { version: v };
  }

  /** Saves a new version and (unless asked not to) makes it the one in use; returns it as stored. */
  save(data: ProfileData, createdAt: Date = new Date(), options: { makeCurrent?: boolean } = {}): SavedProfile {
    const dir = this.userDir(data.user);
    const freshDir = !existsSync(dir);
    mkdirSync(dir, { recursive: true });
    if (freshDir) fsyncDir(this.root);
    this.#removeDeadTemps(dir);
    const present = this.versionNumbers(data.user);
    const version = Math.max(0, ...present, this.#readPointer(data.user) ?? 0) + 1;
    const makeCurrent = options.makeCurrent ?? true;
    const saved: SavedProfile = {
      format: PROFILE_FORMAT,
      formatVersion: PROFILE_FORMAT_VERSION,
      user: data.user,
      version,
      createdAt: createdAt.toISOString(),
      extractorSha256: data.extractorSha256,
      package: data.package,
      gestures: data.gestures,
      head: data.head,
      cv: data.cv,
      ...(data.calibration ? { calibration: data.calibration } : {}),
      ...(data.sync ? { sync: data.sync } : {}),
      ...(data.adaptation ? { adaptation: data.adaptation } : {}),
    };
    const text = JSON.stringify(saved);
    // What is written must read back: refuse to store a profile that load() would refuse.
    validateProfile(JSON.parse(text), `profile ${data.user} v${version}`);
    writeFileAtomic(join(dir, versionFileName(version)), text + '\n');
    if (makeCurrent) this.#writePointer(data.user, version);
    this.#prune(data.user, makeCurrent ? version : this.currentVersion(data.user));
    return saved;
  }

  /** Loads a version (default: the one in use). */
  load(user: string, version?: number): SavedProfile {
    const v = version ?? this.#inUse(user);
    const path = join(this.userDir(user), versionFileName(v));
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch {
      const present = this.versionNumbers(user);
      if (present.length === 0) throw this.#noProfile(user);
      throw new HeadstartError('PROFILE_NOT_FOUND', `profile '${user}' has no version ${v} (present: ${present.join(', ')}); \`headstart profile show ${user}\` lists them`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new HeadstartError('BAD_PROFILE', `${path}: not valid JSON (${(err as Error).message}); remove that version (\`headstart profile rm ${user} ${v}\`) and calibrate again`);
    }
    const profile = validateProfile(parsed, path);
    if (profile.user !== user || profile.version !== v) {
      throw new HeadstartError('BAD_PROFILE', `${path}: holds profile '${profile.user}' version ${profile.version}, not '${user}' version ${v}; the file was moved by hand: move it back or remove it`);
    }
    return profile;
  }

  /** One line per version of a user, oldest first; damaged files are reported, not thrown. */
  versions(user: string): ProfileVersionSummary[] {
    const current = this.currentVersion(user);
    return this.versionNumbers(user).map((version) => {
      try {
        const p = this.load(user, version);
        return {
          version,
          current: version === current,
          createdAt: p.createdAt,
          headKind: p.head.kind,
          cvAccuracy: p.cv.accuracy[p.cv.chosen],
          cvMethod: p.cv.method,
          extractorSha256: p.extractorSha256,
          gestures: p.gestures,
        };
      } catch (err) {
        return { version, current: version === current, damaged: (err as Error).message };
      }
    });
  }

  list(): ProfileUserSummary[] {
    return this.users().map((user) => {
      const pointer = this.pointer(user);
      const calibration = this.#calibrationState(user);
      return {
        user,
        current: pointer.version,
        versions: this.versionNumbers(user),
        ...(pointer.problem ? { pointerProblem: pointer.problem } : {}),
        ...(calibration.journal ? { interruptedCalibration: calibration.journal } : {}),
        recordings: calibration.recordings,
      };
    });
  }

  /** Makes `version` the one in use (it must load cleanly). */
  use(user: string, version: number): SavedProfile {
    const profile = this.load(user, version);
    this.#writePointer(user, version);
    return profile;
  }

  /** Goes back to the version before the one in use; returns it. */
  rollback(user: string): SavedProfile {
    const current = this.#inUse(user);
    const older = this.versionNumbers(user).filter((v) => v < current);
    if (older.length === 0) {
      throw new HeadstartError('NO_OLDER_PROFILE', `profile '${user}' has no version older than ${current} (the last ${this.keep} are kept); nothing to roll back to`);
    }
    return this.use(user, older[older.length - 1]!);
  }

  /**
   * Removes one version, or the whole profile when no version is given.
   * The version in use is refused unless it is damaged: then the newest good
   * version before it (else after it) becomes the one in use. The whole
   * profile goes with its calibration recordings only when asked.
   */
  rm(user: string, version?: number, options: RemoveOptions = {}): ProfileRemoval {
    const dir = this.userDir(user);
    const present = this.versionNumbers(user);
    if (!existsSync(dir)) throw this.#noProfile(user);
    if (version === undefined) return this.#rmAll(user, options.withRecordings === true);
    if (!present.includes(version)) {
      throw new HeadstartError('PROFILE_NOT_FOUND', `profile '${user}' has no version ${version} (present: ${present.join(', ') || 'none'})`);
    }
    if (version !== this.currentVersion(user)) {
      unlinkSync(join(dir, versionFileName(version)));
      fsyncDir(dir);
      return { removed: version };
    }
    if (!this.#damaged(user, version)) {
      throw new HeadstartError(
        'PROFILE_VERSION_IN_USE',
        `version ${version} is the one profile '${user}' uses; switch first (\`headstart profile use ${user} <version>\` or \`headstart profile rollback ${user}\`) or remove the whole profile (\`headstart profile rm ${user}\`)`,
      );
    }
    const others = present.filter((v) => v !== version && !this.#damaged(user, v));
    const replacement = [...others.filter((v) => v < version)].pop() ?? others.find((v) => v > version);
    // The pointer moves first: a crash in between leaves a good version in use and the damaged one still listed.
    if (replacement !== undefined) this.#writePointer(user, replacement);
    else rmSync(join(dir, CURRENT_FILE), { force: true });
    unlinkSync(join(dir, versionFileName(version)));
    fsyncDir(dir);
    return { removed: version, nowCurrent: replacement ?? null };
  }

  #rmAll(user: string, withRecordings: boolean): ProfileRemoval {
    const dir = this.userDir(user);
    const calibration = calibrationPaths(dir);
    if (withRecordings || !existsSync(calibration.dir)) {
      // Renamed away first so the profile disappears at once, whatever happens during the removal.
      const doomed = join(this.root, `.${user}.removing.${process.pid}.${Date.now()}`);
      renameSync(dir, doomed);
      fsyncDir(this.root);
      rmSync(doomed, { recursive: true, force: true });
      return { removed: 'all' };
    }
    // The pointer first: from then on no version is in use, whatever happens during the removal.
    rmSync(join(dir, CURRENT_FILE), { force: true });
    for (const name of readdirSync(dir)) {
      if (VERSION_FILE.test(name) || TEMP_FILE.test(name) || name === REPORT_FILE) rmSync(join(dir, name), { force: true });
    }
    fsyncDir(dir);
    return { removed: 'all', keptRecordings: calibration.dir };
  }

  /** The interrupted calibration's journal (when there is one) and how many finished recordings are kept. */
  #calibrationState(user: string): { journal?: string; recordings: number } {
    const paths = calibrationPaths(this.userDir(user));
    let recordings = 0;
    try {
      recordings = readdirSync(paths.sessions).filter((n) => n.endsWith('.hsrec')).length;
    } catch {
      // No finished session yet.
    }
    return { ...(existsSync(paths.journal) ? { journal: paths.journal } : {}), recordings };
  }

  #damaged(user: string, version: number): boolean {
    try {
      this.load(user, version);
      return false;
    } catch (err) {
      return err instanceof HeadstartError && err.code === 'BAD_PROFILE';
    }
  }

  /** The version in use, or the error that says why there is none. */
  #inUse(user: string): number {
    const pointer = this.pointer(user);
    if (pointer.version !== undefined) return pointer.version;
    if (pointer.problem === undefined) throw this.#noProfile(user);
    const present = this.versionNumbers(user);
    throw new HeadstartError(
      'NO_CURRENT_VERSION',
      `profile '${user}': ${pointer.problem}, so the version in use is not known (versions present: ${present.join(', ')}); choose one with \`headstart profile use ${user} <version>\` (\`headstart profile show ${user} <version>\` shows one)`,
      { user, versions: present },
    );
  }

  #noProfile(user: string): HeadstartError {
    const withVersions = this.users().filter((u) => u !== user && this.versionNumbers(u).length > 0);
    if (existsSync(join(this.root, user))) {
      const calibration = this.#calibrationState(user);
      if (calibration.journal) {
        return new HeadstartError(
          'PROFILE_NOT_FOUND',
          `profile '${user}' has no saved version yet: its calibration was interrupted (${calibration.journal}); resume that calibration to finish it`,
          { user, interruptedCalibration: calibration.journal },
        );
      }
      if (calibration.recordings > 0) {
        return new HeadstartError(
          'PROFILE_NOT_FOUND',
          `profile '${user}' has no saved version; only its calibration recordings are kept (${calibrationPaths(join(this.root, user)).dir}): calibrate '${user}' again, or remove them (\`headstart profile rm ${user} --with-recordings\`)`,
          { user },
        );
      }
    }
    return new HeadstartError(
      'PROFILE_NOT_FOUND',
      `no profile '${user}' in ${this.root} (${withVersions.length > 0 ? `present: ${withVersions.join(', ')}` : 'none yet'}); calibrate that user first, or look in the data folder where the profiles are`,
      { user },
    );
  }

  /** The version number current.json holds, whether or not that version is present (undefined when unreadable). */
  #readPointer(user: string): number | undefined {
    try {
      return this.#pointerValue(readFileSync(join(this.userDir(user), CURRENT_FILE), 'utf8'));
    } catch {
      return undefined;
    }
  }

  #pointerValue(text: string): number | undefined {
    try {
      const v = (JSON.parse(text) as { version?: unknown } | null)?.version;
      return typeof v === 'number' && Number.isInteger(v) && v >= 1 ? v : undefined;
    } catch {
      return undefined;
    }
  }

  #writePointer(user: string, version: number): void {
    writeFileAtomic(join(this.userDir(user), CURRENT_FILE), JSON.stringify({ version }) + '\n');
  }

  /** Removes versions beyond the newest `keep`, never the one in use. */
  #prune(user: string, current: number | undefined): void {
    const dir = this.userDir(user);
    const present = this.versionNumbers(user);
    const doomed = present.slice(0, Math.max(0, present.length - this.keep)).filter((v) => v !== current);
    for (const v of doomed) {
      try {
        unlinkSync(join(dir, versionFileName(v)));
      } catch {
        // Already gone.
      }
    }
    if (doomed.length > 0) fsyncDir(dir);
  }

  /** Temp files left by a writer that was killed mid-save (its process is gone). */
  #removeDeadTemps(dir: string): void {
    for (const name of readdirSync(dir)) {
      const m = TEMP_FILE.exec(name);
      if (m && Number(m[1]) !== process.pid && !processAlive(Number(m[1]))) {
        try {
          unlinkSync(join(dir, name));
        } catch {
          // Removed by someone else.
        }
      }
    }
  }
}
