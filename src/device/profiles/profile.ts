/**
 * A user profile version: the head trained for one wearer, what it was
 * trained for (the extractor's sha256, the gesture names) and how well it
 * did in cross-validation. Stored as JSON; validated on every load, so a
 * damaged or foreign file is refused with the field at fault.
 */
import type { AutoSyncCheck } from '../../core/band_sync.ts';
import { HeadstartError } from '../../core/errors.ts';
import type { HeadData } from '../../core/head/head.ts';
import { type HeadMethod, methodKind } from '../../core/head/head.ts';
import { checkHeadInput } from '../../core/head/head_input.ts';

export const PROFILE_FORMAT = 'headstart-profile';
export const PROFILE_FORMAT_VERSION = 1;

/** How the head method was chosen: by held-out repetitions, by held-out blocks of a single repetition, or not at all. */
export type CvMethod = 'repetitions' | 'blocks' | 'none';

export interface ProfileCv {
  method: CvMethod;
  folds: number;
  /** Held-out accuracy of each head method tried. */
  accuracy: Partial<Record<HeadMethod, number>>;
  chosen: HeadMethod;
  /** Held-out accuracy per gesture of the chosen method. */
  perClass?: number[];
  /** [true][predicted] held-out counts of the chosen method. */
  confusion?: number[][];
  /** The `run --reject` threshold the held-out windows suggest. */
  rejectThreshold?: number;
}

/** What a caller saves; the store adds format, version and date. */
export interface ProfileData {
  user: string;
  /** sha256 of the extractor.tflite whose embeddings the head was trained on. */
  extractorSha256: string;
  /** The model package it was made with (name from its manifest; dir where it was found, as a default for `run`). */
  package: { name: string; dir?: string };
  /** Gesture names, in the head's class order. */
  gestures: string[];
  head: HeadData;
  cv: ProfileCv;
  calibration?: { windows: number; repetitions: number; seconds?: number; source?: string };
  /** What a sync after re-wearing compares with (core/band_sync.ts); profiles made before sync have none. */
  sync?: SyncReference;
  /**
   * Set when this version is an earlier one's head adapted without labels
   * during `run --adapt`: which head adapted is `tolerant` (the
   * turn-tolerant one), `preparedShift` (the one prepared for a band turned
   * that far, chosen by a sync), or neither (the calibration's own).
   */
  adaptation?: { fromVersion: number; updates: number; resets: number; shift: number[]; tolerant?: boolean; preparedShift?: number };
}

/**
 * Channel covariances of the calibration's holds, in board units with each
 * channel's mean removed, per gesture: a gesture sync compares with the held
 * gesture's, an automatic sync with each in turn.
 */
export interface SyncReference {
  channels: number;
  /** The gesture a sync asks for unless told otherwise: the protocol's, or the one that stands out most from rest. */
  gesture: string;
  /** Per gesture id, [channels][channels]. */
  gestures: Record<string, number[]>;
  /** Heads fitted on the calibration turned by these amounts (electrodes), for a sync to choose the nearest. */
  heads?: { shift: number; head: HeadData }[];
  /** A head fitted on the calibration as recorded and turned by up to half an electrode (core/band_sync.ts TOLERANT_HEAD_TURNS): `run --tolerate-turn`. */
  tolerantHead?: HeadData;
  /** How the automatic sync did on this calibration's own holds (core/band_sync.ts checkSyncFromUse); any miss: not to be trusted. */
  autoCheck?: AutoSyncCheck;
}

export interface SavedProfile extends ProfileData {
  format: typeof PROFILE_FORMAT;
  formatVersion: number;
  version: number;
  createdAt: string;
}

const USER_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** A user name is one path segment: letters, digits, '.', '_', '-', at most 64, not starting with a dot. */
export function checkUserName(user: string): void {
  if (!USER_NAME.test(user)) {
    throw new HeadstartError('BAD_OPTION', `'${user}' is not a usable profile name: use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit`);
  }
}

type Json = Record<string, unknown>;

function fail(source: string, field: string, problem: string): never {
  throw new HeadstartError('BAD_PROFILE', `${source}: ${field} ${problem}; the profile is damaged or not a headstart profile: remove that version (\`headstart profile rm\`) and calibrate again`, { field });
}

function finiteArray(v: unknown, length: number, source: string, field: string): number[] {
  if (!Array.isArray(v) || v.length !== length || v.some((x) => typeof x !== 'number' || !Number.isFinite(x))) fail(source, field, `must be ${length} finite numbers`);
  return v as number[];
}

/** Checks a head's kind and array sizes. */
export function validateHead(value: unknown, source: string, field = 'head'): HeadData {
  if (typeof value !== 'object' || value === null) fail(source, field, 'must be an object');
  const h = value as Json;
  const classes = h.classes;
  const dim = h.dim;
  if (typeof classes !== 'number' || !Number.isInteger(classes) || classes < 2) fail(source, `${field}.classes`, 'must be a whole number >= 2');
  if (typeof dim !== 'number' || !Number.isInteger(dim) || dim < 1) fail(source, `${field}.dim`, 'must be a whole number >= 1');
  if (h.input !== undefined) checkHeadInput(h.input, `${source}: ${field}`);
  if (h.kind === 'ncm') {
    finiteArray(h.centroids, classes * dim, source, `${field}.centroids`);
  } else if (h.kind === 'softmax' || h.kind === 'lda') {
    finiteArray(h.mean, dim, source, `${field}.mean`);
    finiteArray(h.invStd, dim, source, `${field}.invStd`);
    finiteArray(h.weights, dim * classes, source, `${field}.weights`);
    // lda marks classes never seen with a very negative bias; still finite.
    finiteArray(h.bias, classes, source, `${field}.bias`);
  } else {
    fail(source, `${field}.kind`, 'must be "softmax", "lda" or "ncm"');
  }
  return value as HeadData;
}

function validateSync(value: unknown, source: string, gestures: string[]): void {
  const s = value as Json;
  if (typeof s !== 'object' || s === null) fail(source, 'sync', 'must be an object');
  const channels = s.channels;
  if (typeof channels !== 'number' || !Number.isInteger(channels) || channels < 1) fail(source, 'sync.channels', 'must be a whole number >= 1');
  if (typeof s.gesture !== 'string' || !gestures.includes(s.gesture)) fail(source, 'sync.gesture', 'must name one of the profile\'s gestures');
  const g = s.gestures as Json;
  if (typeof g !== 'object' || g === null) fail(source, 'sync.gestures', 'must be an object');
  for (const [id, cov] of Object.entries(g)) {
    if (!gestures.includes(id)) fail(source, `sync.gestures.${id}`, 'is not one of the profile\'s gestures');
    finiteArray(cov, channels * channels, source, `sync.gestures.${id}`);
  }
  // sync.activity (all gestures pooled), written by earlier versions for the automatic sync, is no longer read.
  if (s.heads !== undefined) {
    if (!Array.isArray(s.heads)) fail(source, 'sync.heads', 'must be a list');
    (s.heads as Json[]).forEach((h, i) => {
      if (typeof h !== 'object' || h === null || typeof h.shift !== 'number' || !Number.isFinite(h.shift)) fail(source, `sync.heads[${i}].shift`, 'must be a finite number');
      validateHead(h.head, source, `sync.heads[${i}].head`);
    });
  }
  if (s.tolerantHead !== undefined) validateHead(s.tolerantHead, source, 'sync.tolerantHead');
  if (s.autoCheck !== undefined) {
    const c = s.autoCheck as Json;
    const count = (v: unknown) => typeof v === 'number' && Number.isInteger(v) && v >= 0;
    if (typeof c !== 'object' || c === null || !count(c.trials) || !count(c.misses) || (c.misses as number) > (c.trials as number)) fail(source, 'sync.autoCheck', 'must be { trials, misses }: whole numbers, misses at most trials');
  }
}

/** Validates a parsed profile file. */
export function validateProfile(value: unknown, source: string): SavedProfile {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(source, '(root)', 'must be a JSON object');
  const p = value as Json;
  if (p.format !== PROFILE_FORMAT) fail(source, 'format', `must be "${PROFILE_FORMAT}"`);
  if (typeof p.formatVersion !== 'number' || !Number.isInteger(p.formatVersion)) fail(source, 'formatVersion', 'must be a whole number');
  if (p.formatVersion > PROFILE_FORMAT_VERSION) {
    throw new HeadstartError('FORMAT_TOO_NEW', `${source}: profile format ${p.formatVersion} is newer than this headstart reads (${PROFILE_FORMAT_VERSION}); upgrade headstart`);
  }
  if (typeof p.user !== 'string' || !USER_NAME.test(p.user)) fail(source, 'user', 'must be a profile name');
  if (typeof p.version !== 'number' || !Number.isInteger(p.version) || p.version < 1) fail(source, 'version', 'must be a whole number >= 1');
  if (typeof p.createdAt !== 'string' || Number.isNaN(Date.parse(p.createdAt))) fail(source, 'createdAt', 'must be an ISO date');
  if (typeof p.extractorSha256 !== 'string' || !/^[0-9a-f]{64}$/.test(p.extractorSha256)) fail(source, 'extractorSha256', 'must be 64 lowercase hex digits');
  const pkg = p.package as Json | undefined;
  if (typeof pkg !== 'object' || pkg === null || typeof pkg.name !== 'string' || (pkg.dir !== undefined && typeof pkg.dir !== 'string')) fail(source, 'package', 'must be { name, dir? }');
  const head = validateHead(p.head, source);
  const gestures = p.gestures;
  if (!Array.isArray(gestures) || gestures.length !== head.classes || gestures.some((g) => typeof g !== 'string')) fail(source, 'gestures', `must list ${head.classes} names (one per class of the head)`);
  const cv = p.cv as Json | undefined;
  if (typeof cv !== 'object' || cv === null) fail(source, 'cv', 'must be an object');
  if (p.sync !== undefined) validateSync(p.sync, source, p.gestures as string[]);
  if (p.adaptation !== undefined) {
    const a = p.adaptation as Json;
    if (typeof a !== 'object' || a === null || typeof a.fromVersion !== 'number' || typeof a.updates !== 'number' || typeof a.resets !== 'number') fail(source, 'adaptation', 'must record fromVersion, updates and resets');
    if (a.tolerant !== undefined && typeof a.tolerant !== 'boolean') fail(source, 'adaptation.tolerant', 'must be true or false');
    if (a.preparedShift !== undefined && (typeof a.preparedShift !== 'number' || !Number.isFinite(a.preparedShift))) fail(source, 'adaptation.preparedShift', 'must be a number of electrodes');
    // The adapted head's own width: the turn-tolerant and prepared heads read what the calibration's head reads.
    finiteArray(a.shift, head.dim, source, 'adaptation.shift');
  }
  if (cv.method !== 'repetitions' && cv.method !== 'blocks' && cv.method !== 'none') fail(source, 'cv.method', 'must be "repetitions", "blocks" or "none"');
  const methods = ['transfer', 'lda', 'softmax', 'ncm'];
  if (typeof cv.chosen !== 'string' || !methods.includes(cv.chosen) || methodKind(cv.chosen as HeadMethod) !== head.kind) {
    fail(source, 'cv.chosen', `must name a method that fits the head's kind (${head.kind})`);
  }
  if (typeof cv.accuracy !== 'object' || cv.accuracy === null) fail(source, 'cv.accuracy', 'must be an object');
  if (cv.rejectThreshold !== undefined && !(typeof cv.rejectThreshold === 'number' && cv.rejectThreshold >= 0 && cv.rejectThreshold <= 1)) fail(source, 'cv.rejectThreshold', 'must be a number in 0..1');
  return value as SavedProfile;
}
