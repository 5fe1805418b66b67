/** Signals for Cyton tests, and what the board's ADC and the decoder make of them. */
import { cytonMicrovoltsPerCount } from '../../src/core/protocol/cyton.ts';
import type { ReplayScript } from '../../src/sim/replay_script.ts';

/** Microvolts far beyond ±32,767 (the DC offsets of a real Cyton before filtering), with a rhythm on top. */
export function cytonScript(samples: number, channels = 8): ReplayScript {
  const rate = channels === 8 ? 250 : 125;
  const values = new Float32Array(samples * channels);
  for (let i = 0; i < samples; i++) for (let c = 0; c < channels; c++) values[i * channels + c] = (c % 2 ? -1 : 1) * (40000 + 9000 * c) + 35 * Math.sin((2 * Math.PI * 10 * i) / rate + c);
  return { source: 'cyton test', channels, rate, samples: values, labels: [] };
}

/** What the board's 24-bit ADC makes of a value, as the decoder gives it back (float32 µV). */
export function throughAdc(uv: number, gain = 24): number {
  const scale = cytonMicrovoltsPerCount(gain);
  return Math.fround(Math.round(uv / scale) * scale);
}

