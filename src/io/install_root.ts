/**
 * Where headstart is installed: the nearest folder above this code (the
 * bundle in dist/ or the sources in src/) that holds package.json and the
 * given entry (models/, data/demo). Shipped assets are found from there,
 * the default model package among them.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { HeadstartError } from '../core/errors.ts';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function findInstallRoot(entry: string): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, entry))) return dir;
    dir = dirname(dir);
  }
  return undefined;
}

function manifestModality(dir: string): string | undefined {
  try {
    const m = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { modality?: unknown };
    return typeof m.modality === 'string' ? m.modality : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The shipped model package of a modality: the first folder under the
 * install's models/ whose manifest is of that modality (EMG: myo8-200hz,
 * EEG: eeg8-250hz).
 */
export function defaultPackageDir(modality: 'emg' | 'eeg' = 'emg'): string {
  const root = findInstallRoot('models');
  if (root) {
    const found = readdirSync(join(root, 'models'), { withFileTypes: true })
      .filter((e) => e.isDirectory() && existsSync(join(root, 'models', e.name, 'manifest.json')))
      .map((e) => join(root, 'models', e.name))
      .sort()
      .filter((dir) => manifestModality(dir) === modality);
    if (found[0]) return found[0];
  }
  throw new HeadstartError('NO_MODEL_PACKAGE', `no model package given and no ${modality.toUpperCase()} package shipped under models/; give one (pretrain and export make one)`, { setting: 'package' });
}

/** The shipped EEG package (models/eeg8-250hz). */
export function defaultEegPackageDir(): string {
  return defaultPackageDir('eeg');
}

/** What `npm run pack:device` records in a device tarball's package.json. */
export interface DeviceInstall {
  /** The platform the tarball was packed for (linux-x64, linux-arm64). */
  platform: string;
  /** Whether the official TensorFlow Lite runtime's addon is inside, and why not when it is not. */
  nativeTflite: { included: boolean; builtWith?: string; reason?: string };
  packedAt: string;
}

/** The device tarball's record when headstart runs from one; undefined in a checkout or an ordinary install. */
export function deviceInstall(): DeviceInstall | undefined {
  const root = findInstallRoot('package.json');
  if (!root) return undefined;
  try {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { headstartDevice?: DeviceInstall };
    return pkg.headstartDevice;
  } catch {
    return undefined;
  }
}
