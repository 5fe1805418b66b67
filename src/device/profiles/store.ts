/**
 * The profile store: `<data dir>/profiles/<user>/` holds one JSON file per
 * version (`v000001.json`, ...) and `current.json`, a pointer to the
 * version in use. Every file is written atomically (temp name, fsync,
 * rename, fsync of the folder), the version first and the pointer last, so
 * a crash at any moment leaves the old version in use or the new one,
 * never a torn file. The last `keep` versions are kept (and always the one
 * in use). One writer per user at a time.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { HeadstartError } from '../../core/errors.ts';
import { fsyncDir, writeFileAtomic } from '../../io/atomic_file.ts';
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

  /** The version in use: the pointer's, or the newest present when the pointer is missing or names a version that is gone. */
  currentVersion(user: string): number | undefined {
    const present = this.versionNumbers(user);
    if (present.length === 0) return undefined;
    const pointed = this.#readPointer(user);
    return pointed !== undefined && present.includes(pointed) ? pointed : present[present.length - 1];
  }

  /** Saves a new version and makes it the one in use; returns it as stored. */
  save(data: ProfileData, createdAt: Date = new Date()): SavedProfile {
    const dir = this.userDir(data.user);
    const freshDir = !existsSync(dir);
    mkdirSync(dir, { recursive: true });
    if (freshDir) fsyncDir(this.root);
    this.#removeDeadTemps(dir);
    const present = this.versionNumbers(data.user);
    const version = Math.max(0, ...present, this.#readPointer(data.user) ?? 0) + 1;
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
    };
    const text = JSON.stringify(saved);
    // What is written must read back: refuse to store a profile that load() would refuse.
    validateProfile(JSON.parse(text), `profile ${data.user} v${version}`);
    writeFileAtomic(join(dir, versionFileName(version)), text + '\n');
    this.#writePointer(data.user, version);
    this.#prune(data.user, version);
    return saved;
  }

  /** Loads a version (default: the one in use). */
  load(user: string, version?: number): SavedProfile {
    const v = version ?? this.currentVersion(user);
    if (v === undefined) throw this.#noProfile(user);
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
    return this.users().map((user) => ({ user, current: this.currentVersion(user), versions: this.versionNumbers(user) }));
  }

  /** Makes `version` the one in use (it must load cleanly). */
  use(user: string, version: number): SavedProfile {
    const profile = this.load(user, version);
    this.#writePointer(user, version);
    return profile;
  }

  /** Goes back to the version before the one in use; returns it. */
  rollback(user: string): SavedProfile {
    const current = this.currentVersion(user);
    if (current === undefined) throw this.#noProfile(user);
    const older = this.versionNumbers(user).filter((v) => v < current);
    if (older.length === 0) {
      throw new HeadstartError('NO_OLDER_PROFILE', `profile '${user}' has no version older than ${current} (the last ${this.keep} are kept); nothing to roll back to`);
    }
    return this.use(user, older[older.length - 1]!);
  }

  /** Removes one version (not the one in use), or the whole profile when no version is given. */
  rm(user: string, version?: number): void {
    const dir = this.userDir(user);
    const present = this.versionNumbers(user);
    if (!existsSync(dir)) throw this.#noProfile(user);
    if (version === undefined) {
      // Renamed away first so the profile disappears at once, whatever happens during the removal.
      const doomed = join(this.root, `.${user}.removing.${process.pid}.${Date.now()}`);
      renameSync(dir, doomed);
      fsyncDir(this.root);
      rmSync(doomed, { recursive: true, force: true });
      return;
    }
    if (!present.includes(version)) {
      throw new HeadstartError('PROFILE_NOT_FOUND', `profile '${user}' has no version ${version} (present: ${present.join(', ') || 'none'})`);
    }
    if (version === this.currentVersion(user)) {
      throw new HeadstartError(
        'PROFILE_VERSION_IN_USE',
        `version ${version} is the one profile '${user}' uses; switch first (\`headstart profile use ${user} <version>\` or \`headstart profile rollback ${user}\`) or remove the whole profile (\`headstart profile rm ${user}\`)`,
      );
    }
    unlinkSync(join(dir, versionFileName(version)));
    fsyncDir(dir);
  }

  #noProfile(user: string): HeadstartError {
    const users = this.users();
    return new HeadstartError(
      'PROFILE_NOT_FOUND',
      `no profile '${user}' in ${this.root} (${users.length > 0 ? `present: ${users.join(', ')}` : 'none yet'}); calibrate that user first, or look in the data folder where the profiles are`,
    );
  }

  #readPointer(user: string): number | undefined {
    try {
      const v = (JSON.parse(readFileSync(join(this.userDir(user), CURRENT_FILE), 'utf8')) as { version?: unknown }).version;
      return typeof v === 'number' && Number.isInteger(v) && v >= 1 ? v : undefined;
    } catch {
      return undefined;
    }
  }

  #writePointer(user: string, version: number): void {
    writeFileAtomic(join(this.userDir(user), CURRENT_FILE), JSON.stringify({ version }) + '\n');
  }

  /** Removes versions beyond the newest `keep`, never the one in use. */
  #prune(user: string, current: number): void {
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
