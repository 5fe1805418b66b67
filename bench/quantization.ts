// Float vs int8 extractor of an exported model package, on the full Myo data:
// cosine similarity of embeddings and population-head top-1 agreement on
// pretraining windows and on the evaluation people's windows; the
// personalization benchmark (k = 1 and 4) with the float extractor and with
// the device path (int8 on the official runtime); sizes.
//
//   node --import tsx bench/quantization.ts models/myo8-200hz [--head auto|lda|softmax|ncm] [--every N]
//
// Needs ../shared/datasets/myoarmband and a package that `headstart export` has run on.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { selectBackend } from '../src/tfjs/backend.ts';
import type { Embeddings } from '../src/core/head/embeddings.ts';
import { predictClasses } from '../src/core/head/head.ts';
import { selectWindows, type WindowSet, windowRecordings } from '../src/core/window_set.ts';
import { embedWithRuntime } from '../src/io/extractor_embed.ts';
import { loadModelPackage } from '../src/io/model_package.ts';
import { openRuntime } from '../src/io/runtime/open_runtime.ts';
import { listMyoPeople, readMyoDataset, readMyoPerson } from '../src/io/datasets/myo.ts';
import { embedWindows } from '../src/host/evaluate/embed.ts';
import { evaluatePerson, type HeadChoiceMode, type PersonResult, summarize } from '../src/host/evaluate/protocol.ts';
import { cosineSimilarity, top1Agreement } from '../src/host/export/agreement.ts';
import { floatModelSizes } from '../src/host/export/report.ts';
import { loadLayersModel } from '../src/tfjs/model_io.ts';
import { cannotRun, printResultLine } from './lib/result_line.ts';

const args = process.argv.slice(2);
const dir = args.find((a) => !a.startsWith('--'));
const option = (name: string, fallback: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
if (!dir) {
  process.stderr.write('usage: node --import tsx bench/quantization.ts <exported model package> [--head auto] [--every 10]\n');
  process.exit(2);
}
const head = option('head', 'auto') as HeadChoiceMode;
const every = Number(option('every', '10'));
const MYO = fileURLToPath(new URL('../../shared/datasets/myoarmband', import.meta.url));
if (!existsSync(MYO)) cannotRun(`no Myo data set at ${MYO}`);
if (!existsSync(join(dir, 'extractor.tflite'))) cannotRun(`${dir} has no exported extractor (headstart export --package ${dir})`);

await selectBackend();
const pkg = loadModelPackage(dir, { requireTflite: true });
const m = pkg.manifest;
const float = await loadLayersModel(join(dir, m.extractor.floatModel));
const { runtime, fallbackReason } = openRuntime(pkg.tflite!, { runtime: 'auto' });
if (fallbackReason) process.stderr.write(`note: int8 runs on the TypeScript interpreter: ${fallbackReason}\n`);

/** Running sums of the float-vs-int8 comparison over many sets. */
function tally() {
  let windows = 0;
  let cosineSum = 0;
  let cosineMin = Infinity;
  let agree = 0;
  let floatCorrect = 0;
  let int8Correct = 0;
  return {
    add(set: WindowSet, f: Embeddings, q: Embeddings): void {
      const c = cosineSimilarity(f, q);
      cosineSum += c.mean * set.count;
      cosineMin = Math.min(cosineMin, c.min);
      agree += top1Agreement(pkg.populationHead, f, q) * set.count;
      const pf = predictClasses(pkg.populationHead, f);
      const pq = predictClasses(pkg.populationHead, q);
      for (let i = 0; i < set.count; i++) {
        if (pf[i] === set.y[i]) floatCorrect++;
        if (pq[i] === set.y[i]) int8Correct++;
      }
      windows += set.count;
    },
    figures() {
      return { windows, cosineMean: cosineSum / windows, cosineMin, populationTop1Agreement: agree / windows, populationHeadAccuracy: { float: floatCorrect / windows, int8: int8Correct / windows } };
    },
    line(name: string): string {
      const pct = (x: number) => `${((100 * x) / windows).toFixed(2)} %`;
      return `${name}: ${windows} windows, cosine mean ${(cosineSum / windows).toFixed(5)} min ${cosineMin.toFixed(5)}, population top-1 agreement ${pct(agree)} (population head accuracy float ${pct(floatCorrect)}, int8 ${pct(int8Correct)})`;
    },
  };
}

const started = Date.now();
const pre = windowRecordings(readMyoDataset(join(MYO, 'PreTrainingDataset')), m.window, m.normalization);
const preSample = selectWindows(pre, (i) => i % every === 0);
const preTally = tally();
preTally.add(preSample, embedWindows(float, preSample), embedWithRuntime(runtime, m, preSample));
process.stderr.write(`${preTally.line(`pretraining people (every ${every}th window)`)}\n`);

const evalTally = tally();
const results: { float: PersonResult[]; int8: PersonResult[] } = { float: [], int8: [] };
for (const person of listMyoPeople(join(MYO, 'EvaluationDataset'))) {
  const recs = readMyoPerson(person.dir);
  const data = { name: person.name, calibration: recs.filter((r) => r.session === 'training0'), test: recs.filter((r) => r.session !== 'training0') };
  const test = windowRecordings(data.test, m.window, m.normalization);
  evalTally.add(test, embedWindows(float, test), embedWithRuntime(runtime, m, test));
  for (const path of ['float', 'int8'] as const) {
    results[path].push(
      ...(await evaluatePerson(data, {
        cycles: [1, 4],
        head,
        classes: m.classes.length,
        window: m.window,
        normalization: m.normalization,
        populationHead: pkg.populationHead,
        embed: path === 'float' ? (set) => embedWindows(float, set) : (set) => embedWithRuntime(runtime, m, set),
        scratchSteps: 0,
        extractorConfig: m.extractor.config,
        seed: 1,
      })),
    );
  }
  process.stderr.write(`${person.name} done\n`);
}

const sizes = floatModelSizes(join(dir, m.extractor.floatModel));
const out = [
  `package ${m.name} (${dir}), int8 on the ${runtime.kind === 'native' ? 'official TensorFlow Lite runtime' : 'TypeScript interpreter'}, head for personalization: ${head}`,
  preTally.line(`pretraining people (every ${every}th window)`),
  evalTally.line('evaluation people, Test0 + Test1 (every window)'),
  'personalization benchmark, mean per-window accuracy over people (float extractor -> int8 device path):',
  ...summarize(results.float).map((f) => {
    const q = summarize(results.int8).find((s) => s.k === f.k)!;
    return `  k = ${f.k}: ${(100 * f.mean).toFixed(2)} % -> ${(100 * q.mean).toFixed(2)} % (${(100 * (q.mean - f.mean)).toFixed(2)} points, ${f.people} people)`;
  }),
  `size: ${pkg.tflite!.length} bytes of .tflite; float weight shards ${sizes.weights} bytes (${((100 * pkg.tflite!.length) / sizes.weights).toFixed(1)} %), with model.json ${sizes.model} bytes (${((100 * pkg.tflite!.length) / sizes.model).toFixed(1)} %)`,
  `(${((Date.now() - started) / 1000).toFixed(0)} s)`,
];
process.stdout.write(out.join('\n') + '\n');
printResultLine('quantization', {
  package: m.name,
  extractorSha256: m.extractor.tflite?.sha256,
  runtime: runtime.kind,
  head,
  every,
  pretraining: preTally.figures(),
  evaluation: evalTally.figures(),
  personalization: summarize(results.float).map((f) => ({ k: f.k, people: f.people, float: f.mean, int8: summarize(results.int8).find((s) => s.k === f.k)!.mean })),
  tfliteBytes: pkg.tflite!.length,
  floatWeightBytes: sizes.weights,
  floatModelBytes: sizes.model,
  seconds: (Date.now() - started) / 1000,
});
