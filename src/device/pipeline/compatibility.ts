/**
 * What must agree before a live run starts: the board (its HELLO) and the
 * model package (channels, rate), and the profile and the package's
 * extractor (hash, embedding size, classes). Each refusal says which
 * thing disagrees and what to do.
 */
import { headInputOf } from '../../core/head/head.ts';
import { headInputSize } from '../../core/head/head_input.ts';
import { HeadstartError } from '../../core/errors.ts';
import type { ModelManifest } from '../../core/model_package/manifest.ts';
import type { HelloFrame } from '../../core/protocol/frames.ts';
import type { SavedProfile } from '../profiles/profile.ts';
import { resampleRatio } from '../../core/dsp/resampler.ts';

export interface BoardFit {
  /** True when the board's samples must be resampled to the package's rate. */
  resample: boolean;
}

/**
 * A board fits a package when it sends the package's channel count, at the
 * package's rate or at a higher whole rate that resamples to it (e.g. 250 Hz
 * to 200 Hz). A slower board is refused: resampling up cannot bring back the
 * frequencies the extractor was trained on.
 */
export function checkBoardForPackage(hello: Pick<HelloFrame, 'channels' | 'rate' | 'boardId'>, manifest: ModelManifest, packageDir: string): BoardFit {
  if (hello.channels !== manifest.channels) {
    throw new HeadstartError(
      'BOARD_MISMATCH',
      `the board '${hello.boardId}' sends ${hello.channels} channels but the model package ${packageDir} was trained on ${manifest.channels} (${manifest.channelNames.join(', ')}); ` +
        `wire ${manifest.channels} electrodes in that order, or use a package made for ${hello.channels} channels`,
    );
  }
  if (hello.rate === manifest.sampleRate) return { resample: false };
  if (hello.rate < manifest.sampleRate) {
    throw new HeadstartError(
      'BOARD_MISMATCH',
      `the board '${hello.boardId}' samples at ${hello.rate} Hz but the model package ${packageDir} needs ${manifest.sampleRate} Hz (its extractor learned frequencies up to ${manifest.sampleRate / 2} Hz); ` +
        `set the board to ${manifest.sampleRate} Hz or more, or use a package made for ${hello.rate} Hz`,
    );
  }
  try {
    resampleRatio(hello.rate, manifest.sampleRate);
  } catch (err) {
    const why = err instanceof Error ? err.message : String(err);
    throw new HeadstartError('BOARD_MISMATCH', `the board '${hello.boardId}' samples at ${hello.rate} Hz and the model package ${packageDir} at ${manifest.sampleRate} Hz, and the one cannot be resampled to the other (${why}); set the board to ${manifest.sampleRate} Hz`);
  }
  return { resample: true };
}

/** A profile fits a package when its head was trained on this very extractor. */
export function checkProfileForPackage(profile: SavedProfile, manifest: ModelManifest, packageDir: string): void {
  const sha = manifest.extractor.tflite?.sha256;
  if (sha === undefined) {
    throw new HeadstartError('PACKAGE_NOT_EXPORTED', `${packageDir}: the package has no int8 extractor yet; export it first`, { package: packageDir });
  }
  if (profile.extractorSha256 !== sha) {
    throw new HeadstartError(
      'PROFILE_EXTRACTOR_MISMATCH',
      `profile '${profile.user}' v${profile.version} was trained for extractor ${profile.extractorSha256.slice(0, 12)}… (package '${profile.package.name}'), but ${packageDir} holds extractor ${sha.slice(0, 12)}…; ` +
        `its head means nothing on another extractor: calibrate '${profile.user}' again with this package, or run with the package it was made for`,
      { package: packageDir },
    );
  }
  const reads = headInputSize(headInputOf(profile.head), manifest.embeddingSize, manifest.channels);
  if (profile.head.dim !== reads) {
    throw new HeadstartError('PROFILE_EXTRACTOR_MISMATCH', `profile '${profile.user}' v${profile.version} has a head for ${profile.head.dim}-value inputs, but ${packageDir} gives it ${reads}; calibrate again with this package`);
  }
}
