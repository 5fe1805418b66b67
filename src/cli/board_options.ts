/**
 * The options of the verbs that talk to a sensor board (calibrate, run):
 * which port, at which baud rate, speaking which format. A headstart
 * sketch speaks headstart frames at 500000 baud; an OpenBCI Cyton's dongle
 * its own stream at 115200.
 */
import type { Command } from 'commander';
import { HeadstartError } from '../core/errors.ts';
import { BOARD_FORMATS, type BoardFormat, BoardSession } from '../device/transports/board_session.ts';
import { SerialTransport } from '../device/transports/serial.ts';

export interface BoardOptions {
  port: string;
  baud?: string;
  format: string;
  daisy?: boolean;
}

const DEFAULT_BAUD: Record<BoardFormat, number> = { headstart: 500000, cyton: 115200 };

/** Adds --baud, --format and --daisy (the verb adds --port itself). */
export function addBoardOptions(cmd: Command): Command {
  return cmd
    .option('--baud <rate>', 'baud rate of the serial link (default 500000, the reference sketch; 115200 with --format cyton, the Cyton dongle)')
    .option('--format <format>', `what the board speaks: ${BOARD_FORMATS.join(' or ')} (an OpenBCI Cyton through its USB dongle)`, 'headstart')
    .option('--daisy', 'with --format cyton: use the Daisy module, 16 channels at 125 Hz (default: as the board reports; without a Daisy, 8 at 250 Hz)')
    .option('--no-daisy', "with --format cyton: only the Cyton's own 8 channels at 250 Hz, even with a Daisy fitted");
}

/** The board session the options describe, not started; checks them before any port is opened. */
export function boardSession(opts: BoardOptions): BoardSession {
  const format = opts.format as BoardFormat;
  if (!BOARD_FORMATS.includes(format)) throw new HeadstartError('BAD_OPTION', `--format ${opts.format} is not one of ${BOARD_FORMATS.join(', ')}`);
  if (opts.daisy !== undefined && format !== 'cyton') throw new HeadstartError('BAD_OPTION', '--daisy and --no-daisy are for --format cyton');
  const baudRate = opts.baud === undefined ? DEFAULT_BAUD[format] : Number(opts.baud);
  if (!Number.isInteger(baudRate) || baudRate <= 0) throw new HeadstartError('BAD_OPTION', `--baud must be a positive whole number, got "${opts.baud}"`);
  return new BoardSession({
    transport: new SerialTransport({ path: opts.port, baudRate }),
    format,
    ...(format === 'cyton' && opts.daisy !== undefined ? { cyton: { daisy: opts.daisy } } : {}),
  });
}
