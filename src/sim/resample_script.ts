/**
 * A replay at another rate: what a board sampling at `rate` would have
 * recorded (the one resampler of src/core/dsp, started from the first
 * sample). Label changes move to the samples that describe the same
 * moment. For boards of a fixed rate, such as the Cyton's 250 Hz.
 */
import { preprocessedSpan, preprocessSamples, Preprocessor } from '../core/dsp/preprocess.ts';
import { scriptLength, type ReplayScript } from './replay_script.ts';

export function resampleScript(script: ReplayScript, rate: number): ReplayScript {
  if (script.rate === rate) return script;
  const preprocessing = { rate, filters: [] };
  const samples = preprocessSamples(script.samples, script.channels, script.rate, preprocessing);
  const delay = new Preprocessor(script.channels, script.rate, preprocessing).delayInputSamples;
  const length = samples.length / script.channels;
  // A label in force from the start stays so; later changes move by the resampler's delay.
  const labels = script.labels.map((l) => ({ at: l.at === 0 ? 0 : Math.min(length, preprocessedSpan(l.at, scriptLength(script), script.rate, rate, delay).start), label: l.label }));
  return { ...script, source: `${script.source} at ${rate} Hz`, rate, samples, labels };
}
