/**
 * The layering rule of src/, as data, and a checker for it. Each top-level
 * folder of src/ is a layer; a file may import its own layer and the layers
 * listed for it, and packages only as its layer's rule allows. Imports are
 * found with TypeScript's own pre-processor, so static, type-only,
 * re-exports and dynamic `import()` all count.
 */
import { posix } from 'node:path';
import ts from 'typescript';

export interface LayerRule {
  /** Layers below this one that it may import (its own is always allowed). */
  imports: string[];
  /** Whether a package (a bare specifier, `node:` built-ins included) may be imported. */
  allowsPackage(spec: string): boolean;
}

const isTfjs = (spec: string): boolean => spec.startsWith('@tensorflow/') || spec === 'tfjs-tflite-node';
const anyBut = (banned: (spec: string) => boolean) => (spec: string) => !banned(spec);

/**
 * core: pure code, no I/O and no TensorFlow.js; `node:stream` is allowed
 * because a decoder is a Transform stream (computation, not I/O), and
 * flatbuffers is the TFLite reader's runtime.
 * io: Node I/O shared by host and device (files, recordings, package
 * reading, the two TFLite runtimes), still without TensorFlow.js.
 * tfjs: everything that imports TensorFlow.js.
 * host and device sit side by side above them and never import each other.
 * sim (virtual boards, replays, the demo) above them; api (what an
 * application imports from 'headstart') above sim; cli on top, built on api.
 * web: code that runs in the browser (the live dashboard page, the
 * calibration report's charts), bundled by esbuild rather than imported:
 * only core's pure code (the messages it shares with the server) and the
 * charting library, no Node built-ins. Nothing imports it; the device
 * serves its bundles (src/device/web/assets.ts).
 */
export const LAYERS: Record<string, LayerRule> = {
  core: { imports: [], allowsPackage: (s) => s === 'flatbuffers' || s === 'node:stream' },
  io: { imports: ['core'], allowsPackage: (s) => !s.startsWith('@tensorflow/') },
  tfjs: { imports: ['core', 'io'], allowsPackage: () => true },
  host: { imports: ['core', 'io', 'tfjs'], allowsPackage: () => true },
  device: { imports: ['core', 'io', 'tfjs'], allowsPackage: anyBut(isTfjs) },
  sim: { imports: ['core', 'io', 'tfjs', 'host', 'device'], allowsPackage: anyBut(isTfjs) },
  api: { imports: ['core', 'io', 'tfjs', 'host', 'device', 'sim'], allowsPackage: anyBut(isTfjs) },
  cli: { imports: ['core', 'io', 'tfjs', 'host', 'device', 'sim', 'api'], allowsPackage: anyBut((s) => s.startsWith('@tensorflow/')) },
  web: { imports: ['core'], allowsPackage: (s) => s === 'uplot' || s.startsWith('uplot/') },
};

export interface Violation {
  file: string;
  spec: string;
  why: string;
}

/** The module specifiers a TypeScript file imports, including `import type` and `import()`. */
export function importSpecifiers(text: string): string[] {
  return ts.preProcessFile(text, true, true).importedFiles.map((f) => f.fileName);
}

/**
 * Checks files given by their path relative to src/ (posix separators) and
 * text. The layer of a file is the first folder of its path.
 */
export function checkLayering(files: Map<string, string>, layers: Record<string, LayerRule> = LAYERS): Violation[] {
  const out: Violation[] = [];
  for (const [file, text] of files) {
    const layer = file.split('/')[0];
    const rule = layers[layer];
    if (!rule) {
      out.push({ file, spec: '', why: `src/${layer} is not a layer (known: ${Object.keys(layers).join(', ')})` });
      continue;
    }
    for (const spec of importSpecifiers(text)) {
      if (spec.startsWith('.')) {
        const target = posix.normalize(posix.join(posix.dirname(file), spec));
        const targetLayer = target.split('/')[0];
        // The version comes from package.json, read by one module of io.
        if (target === '../package.json' && layer === 'io') continue;
        if (target.startsWith('..')) out.push({ file, spec, why: 'imports from outside src/' });
        else if (targetLayer !== layer && !rule.imports.includes(targetLayer)) {
          out.push({ file, spec, why: `${layer} may not import ${targetLayer} (it may import: ${[layer, ...rule.imports].join(', ')})` });
        }
      } else if (!rule.allowsPackage(spec)) {
        out.push({ file, spec, why: `${layer} may not import the package ${spec}` });
      }
    }
  }
  return out;
}
