/**
 * Loads a model package folder on the device: validates the manifest, checks
 * the extractor's sha256, reads the population head. Everything a device
 * needs, nothing that needs tfjs.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HeadstartError } from '../core/errors.ts';
import type { HeadData, LinearHeadData } from '../core/head/head.ts';
import { checkHeadInput } from '../core/head/head_input.ts';
import { checkPopulationPrior, type PopulationPrior } from '../core/head/prior.ts';
import { MANIFEST_FILE, type ModelManifest, validateManifest } from '../core/model_package/manifest.ts';
import { readTflite } from '../core/tflite/reader.ts';

export const PRIORS_FILE = 'priors.json';
export const PRIORS_FORMAT = 'headstart-priors';
export const PRIORS_FORMAT_VERSION = 1;

/**
 * What the pretraining people know about within-gesture variation, for the
 * wearer's head (`transfer`) and for the classical baseline `evaluate`
 * shows beside it (`classical`).
 */
export interface PackagePriors {
  format: typeof PRIORS_FORMAT;
  formatVersion: number;
  transfer: PopulationPrior;
  classical: PopulationPrior;
  /**
   * The classical baseline with no calibration: an LDA on the classical
   * recipe fitted on every pretraining window, what `evaluate` shows beside
   * the population head at k = 0. Absent in packages exported before it.
   */
  classicalPopulation?: LinearHeadData;
}

/** Checks the shape of a linear head stored in a package (its sizes agree with its recipe's dimension). */
function checkPackageLinearHead(value: unknown, dim: number, where: string): LinearHeadData {
  const h = value as Partial<LinearHeadData> | null;
  const numbers = (a: unknown, n: number) => Array.isArray(a) && a.length === n && a.every((x) => typeof x === 'number' && Number.isFinite(x));
  if (typeof h !== 'object' || h === null || (h.kind !== 'lda' && h.kind !== 'softmax') || !Number.isInteger(h.classes) || (h.classes as number) < 2 || h.dim !== dim) {
    throw new HeadstartError('BAD_PACKAGE', `${where}: must be a linear head of at least 2 classes reading ${dim} values; export the package again`);
  }
  const c = h.classes as number;
  if (!numbers(h.mean, dim) || !numbers(h.invStd, dim) || !numbers(h.weights, dim * c) || !numbers(h.bias, c)) {
    throw new HeadstartError('BAD_PACKAGE', `${where}: its arrays do not have the sizes its ${c} classes and ${dim} values need; export the package again`);
  }
  checkHeadInput(h.input, where);
  return h as LinearHeadData;
}

export function validatePriors(value: unknown, path: string): PackagePriors {
  const v = value as Partial<PackagePriors> | null;
  if (typeof v !== 'object' || v === null || v.format !== PRIORS_FORMAT) {
    throw new HeadstartError('BAD_PACKAGE', `${path}: not a headstart priors file (format must be "${PRIORS_FORMAT}")`);
  }
  if (typeof v.formatVersion !== 'number' || v.formatVersion > PRIORS_FORMAT_VERSION) {
    throw new HeadstartError('FORMAT_TOO_NEW', `${path}: priors format ${v.formatVersion} is newer than this headstart reads (${PRIORS_FORMAT_VERSION}); upgrade headstart`);
  }
  const priors: PackagePriors = {
    format: PRIORS_FORMAT,
    formatVersion: v.formatVersion,
    transfer: checkPopulationPrior(v.transfer, `${path} transfer`),
    classical: checkPopulationPrior(v.classical, `${path} classical`),
  };
  if (v.classicalPopulation !== undefined) priors.classicalPopulation = checkPackageLinearHead(v.classicalPopulation, priors.classical.dim, `${path} classicalPopulation`);
  return priors;
}

export interface LoadedPackage {
  dir: string;
  manifest: ModelManifest;
  populationHead: HeadData;
  /** Population priors, once exported (packages exported before priors existed have none). */
  priors?: PackagePriors;
  /** The int8 extractor's bytes, hash-checked; absent before `headstart export`. */
  tflite?: Uint8Array;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Reads one JSON file of a package; `what` names it in the error. */
export function readPackageJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new HeadstartError('FILE_NOT_FOUND', `${path}: missing (${what}); is this a complete model package?`, { file: path });
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new HeadstartError('BAD_PACKAGE', `${path}: not valid JSON (${(err as Error).message})`);
  }
}

export function readManifest(dir: string): ModelManifest {
  if (!existsSync(dir)) throw new HeadstartError('FILE_NOT_FOUND', `${dir}: no such model package folder`, { file: dir, package: dir });
  return validateManifest(readPackageJson(join(dir, MANIFEST_FILE), 'the manifest'));
}

export interface LoadOptions {
  /** Fail when the package has no exported int8 extractor (what a device needs). */
  requireTflite?: boolean;
}

export function loadModelPackage(dir: string, opts: LoadOptions = {}): LoadedPackage {
  const manifest = readManifest(dir);
  const populationHead = readPackageJson(join(dir, manifest.populationHead), 'the population head') as HeadData;
  const pkg: LoadedPackage = { dir, manifest, populationHead };
  if (manifest.priors) pkg.priors = validatePriors(readPackageJson(join(dir, manifest.priors), 'the population priors'), join(dir, manifest.priors));
  const t = manifest.extractor.tflite;
  if (t) {
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(readFileSync(join(dir, t.file)));
    } catch {
      throw new HeadstartError('FILE_NOT_FOUND', `${join(dir, t.file)}: missing (the int8 extractor named in the manifest); export the package again`, { file: join(dir, t.file), package: dir });
    }
    const actual = sha256Hex(bytes);
    if (actual !== t.sha256) {
      throw new HeadstartError(
        'BAD_PACKAGE',
        `${join(dir, t.file)}: sha256 is ${actual.slice(0, 12)}… but the manifest says ${t.sha256.slice(0, 12)}…; the file was changed or damaged: export the package again`,
        { file: join(dir, t.file), package: dir },
      );
    }
    // A matching hash says the file is the one exported, not that it is sound: read it here, so that a damaged
    // model is named with its file and the fix rather than by a runtime's own words.
    try {
      readTflite(bytes);
    } catch (err) {
      if (err instanceof HeadstartError && (err.code === 'TFLITE_CORRUPT' || err.code === 'NOT_TFLITE')) {
        throw new HeadstartError(
          'BAD_PACKAGE',
          `${join(dir, t.file)}: matches the manifest's sha256 but is not a sound TensorFlow Lite model (${err.message.replace(/\.?$/, '')}); it was exported damaged, or the manifest was edited to match it: export the package again`,
          { file: join(dir, t.file), package: dir, check: err.details['check'] },
        );
      }
      throw err;
    }
    pkg.tflite = bytes;
  } else if (opts.requireTflite) {
    throw new HeadstartError('PACKAGE_NOT_EXPORTED', `${dir}: the package has no int8 extractor yet; export it first`, { package: dir });
  }
  return pkg;
}
