/**
 * Text recordings as the OpenBCI GUI and BrainFlow write them, for test
 * fixtures. Layouts follow the writers' source (OpenBCI_GUI DataWriterODF
 * and its older OutputFile_rawtxt, BrainFlow DataFilter.write_file).
 */
import { BRAINFLOW_LAYOUTS, type BrainflowBoard } from '../../src/io/datasets/brainflow_csv.ts';

/** Java's Double.toString for the values the GUI prints: plain decimals, E notation below 1e-3 and from 1e7. */
export function javaDouble(v: number): string {
  if (Number.isInteger(v) && Math.abs(v) < 1e7) return `${v}.0`;
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e7)) {
    const [mantissa, exponent] = v.toExponential().split('e');
    return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${Number(exponent)}`;
  }
  return String(v);
}

export interface GuiFixture {
  rate: number;
  /** Samples x channels, µV. */
  samples: number[][];
  /** Marker value per sample index. */
  markers?: Map<number, number>;
  board?: string;
}

/** The current layout (GUI 5 and later) for a Cyton-like board: EXG, accel, 7 others, 3 analog, timestamp, marker, formatted time. */
export function guiCurrentText({ rate, samples, markers, board = 'OpenBCI_GUI$BoardCytonSerial' }: GuiFixture): string {
  const channels = samples[0].length;
  const columns = [
    'Sample Index',
    ...Array.from({ length: channels }, (_, i) => `EXG Channel ${i}`),
    'Accel Channel 0',
    'Accel Channel 1',
    'Accel Channel 2',
    ...Array.from({ length: 7 }, () => 'Other'),
    'Analog Channel 0',
    'Analog Channel 1',
    'Analog Channel 2',
    'Timestamp',
    'Marker Channel',
    'Timestamp (Formatted)',
  ];
  const lines = ['%OpenBCI Raw EXG Data', `%Number of channels = ${channels}`, `%Sample Rate = ${rate} Hz`, `%Board = ${board}`, columns.join(', ')];
  samples.forEach((row, i) => {
    const t = 1_700_000_000 + i / rate;
    const fields = [javaDouble(i % 256), ...row.map(javaDouble), '0.0', '0.0', '0.0', ...Array.from({ length: 7 }, () => '0.0'), '0.0', '0.0', '0.0', javaDouble(t), javaDouble(markers?.get(i) ?? 0)];
    lines.push(`${fields.join(', ')}, 2023-11-14 22:13:20.${String(i % 1000).padStart(3, '0')}`);
  });
  return `${lines.join('\n')}\n`;
}

/** The older layout (GUI 1 to 4): no column names; `%.2f` channels, three aux values, a clock time and Unix ms. */
export function guiOlderText({ rate, samples }: GuiFixture, { countLine = true, aux = true } = {}): string {
  const channels = samples[0].length;
  const lines = [
    '%OpenBCI Raw EEG Data',
    countLine ? `%Number of channels = ${channels}` : '%',
    `%Sample Rate = ${rate.toFixed(1)} Hz`,
    '%First Column = SampleIndex',
    '%Last Column = Timestamp ',
    aux ? '%Other Columns = EEG data in microvolts followed by Accel Data (in G) interleaved with Aux Data' : '%Other Columns = EEG data in microvolts',
  ];
  samples.forEach((row, i) => {
    const fields = [String(i % 256), ...row.map((v) => v.toFixed(2))];
    if (aux) fields.push('0.012', '-0.500', '0.998', `15:31:${String(23 + Math.floor(i / rate)).padStart(2, '0')}.878`, String(1_490_000_000_000 + Math.round((1000 * i) / rate)));
    lines.push(fields.join(', '));
  });
  return `${lines.join('\n')}\n`;
}

/** A BrainFlow `write_file` text: every row of the board's layout, `%lf` (6 decimals), tabs. */
export function brainflowText(board: BrainflowBoard, { rate, samples, markers }: GuiFixture): string {
  const layout = BRAINFLOW_LAYOUTS[board];
  return samples
    .map((row, i) => {
      const fields = new Array<number>(layout.fields).fill(0);
      fields[0] = i % 256;
      layout.exg.forEach((k, c) => (fields[k] = row[c]));
      fields[layout.timestamp] = 1_700_000_000 + i / rate;
      fields[layout.marker] = markers?.get(i) ?? 0;
      return `${fields.map((v) => v.toFixed(6)).join('\t')}\n`;
    })
    .join('');
}

/** Samples x channels of distinct sines with a large offset, as a Cyton records before filtering (µV). */
export function eegLike(samples: number, channels: number, rate: number): number[][] {
  return Array.from({ length: samples }, (_, i) => Array.from({ length: channels }, (_, c) => 60000 - 7000 * c + 40 * Math.sin((2 * Math.PI * (8 + c) * i) / rate)));
}
