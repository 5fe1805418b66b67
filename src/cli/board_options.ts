/**
 * The options of the verbs that talk to a sensor board (calibrate, run):
 * the baud rate and what the board speaks. A headstart sketch speaks
 * headstart frames at 500000 baud; an OpenBCI Cyton's USB dongle its own
 * stream at 115200.
 */
import { Option } from 'commander';
import { HeadstartError } from '../core/errors.ts';
import { type Board, openBoard } from '../api/index.ts';
import { BOARD_FORMATS, type BoardFormat } from '../device/transports/board_session.ts';
import { choiceOption, MAX_BAUD, numberOption } from './options.ts';

export interface BoardOptions {
  port: string;
  /** Absent: the format's usual rate. */
  baud?: number;
  format: BoardFormat;
  daisy?: boolean;
}

export const PORT_OR_CYTON_DESCRIPTION =
  "serial port of the sensor board: one running the firmware-bridge sketch, or an OpenBCI Cyton's USB dongle with --format cyton (`headstart ports` lists them; a `headstart sim` pseudo-terminal works too)";

/** --baud, --format, --daisy and --no-daisy, to add to a verb after its --port. */
export function boardOptions(): Option[] {
  return [
    numberOption('--baud <rate>', 'baud rate of the serial link (default 500000, the reference sketch; 115200 with --format cyton, the Cyton dongle)', { integer: true, min: 1, max: MAX_BAUD }),
    choiceOption('--format <format>', 'what the board speaks: headstart frames, or an OpenBCI Cyton (with or without a Daisy) through its USB dongle', BOARD_FORMATS, 'headstart'),
    new Option('--daisy', 'with --format cyton: use the Daisy module, 16 channels at 125 Hz (default: as the board reports; without a Daisy, 8 at 250 Hz)'),
    new Option('--no-daisy', "with --format cyton: only the Cyton's own 8 channels at 250 Hz, even with a Daisy fitted"),
  ];
}

/** The board the options describe (nothing is opened until a session starts). */
export function boardFromOptions(opts: BoardOptions): Board {
  if (opts.daisy !== undefined && opts.format !== 'cyton') throw new HeadstartError('BAD_OPTION', '--daisy and --no-daisy are for --format cyton', { setting: 'daisy' });
  return openBoard({ port: opts.port, format: opts.format, ...(opts.baud !== undefined ? { baudRate: opts.baud } : {}), ...(opts.daisy !== undefined ? { daisy: opts.daisy } : {}) });
}
