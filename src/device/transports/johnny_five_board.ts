/**
 * Connecting johnny-five to a board: a Firmata board on a serial port
 * (StandardFirmata, 57600 baud, through this project's serialport), or any
 * johnny-five IO plugin given ready-made (mock-firmata in tests, raspi-io on
 * a Raspberry Pi's own pins...). The result feeds AnalogSource (sensor
 * input) and JohnnyFiveFeedback (LED, vibration motor, servo).
 */
import five, { type Board, type IOPlugin } from 'johnny-five';
import { SerialPort } from 'serialport';
import { HeadstartError } from '../../core/errors.ts';
import { serialOpenError } from './serial.ts';

export interface JohnnyFiveConnectOptions {
  /** An IO plugin instance; when given, `port` is not used. */
  io?: IOPlugin;
  /** Serial port of a board running StandardFirmata. */
  port?: string;
  /** StandardFirmata's baud rate is 57600. */
  baudRate?: number;
  /** How long to wait for the board to be ready (default 10 s: Firmata boards reset when the port opens). */
  timeoutMs?: number;
  /** Called with errors johnny-five reports after the board was ready (a lost port...). */
  onError?: (err: HeadstartError) => void;
}

export interface JohnnyFiveConnection {
  board: Board;
  /** Where it is connected, for messages. */
  description: string;
  /** Closes the serial port when headstart opened one. */
  close(): Promise<void>;
}

export async function connectJohnnyFive(options: JohnnyFiveConnectOptions): Promise<JohnnyFiveConnection> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  let port: SerialPort | undefined;
  let io = options.io;
  let description = io ? `johnny-five IO plugin '${io.name}'` : '';
  if (!io) {
    if (!options.port) throw new HeadstartError('MISSING_OPTION', 'give the serial port of the Firmata board (`headstart ports` lists them)');
    const Firmata = await loadFirmata();
    const path = options.port;
    description = `Firmata board on ${path}`;
    const serial = new SerialPort({ path, baudRate: options.baudRate ?? 57600, autoOpen: false });
    port = serial;
    io = new Firmata(serial);
    await new Promise<void>((resolve, reject) => serial.open((err) => (err ? reject(serialOpenError(path, err)) : resolve())));
  }
  const board = new five.Board({ io, repl: false, debug: false, sigint: false, timeout: timeoutMs });
  const close = async (): Promise<void> => {
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  };
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(
            new HeadstartError(
              'BOARD_SILENT',
              `${description}: not ready within ${timeoutMs} ms; check that the board runs StandardFirmata (Arduino IDE: File > Examples > Firmata) and that nothing else holds the port`,
            ),
          ),
        timeoutMs,
      );
      let ready = false;
      board.once('ready', () => {
        ready = true;
        clearTimeout(timer);
        resolve();
      });
      // One listener for the board's whole life: an 'error' with no listener would end the process.
      board.on('error', (err: Error) => {
        const error = new HeadstartError('BOARD_ERROR', `${description}: ${err.message}`);
        if (ready) options.onError?.(error);
        else {
          clearTimeout(timer);
          reject(error);
        }
      });
    });
  } catch (err) {
    await close();
    throw err;
  }
  return { board, description, close };
}

async function loadFirmata(): Promise<new (transport: object) => IOPlugin> {
  try {
    return (await import('firmata')).default;
  } catch {
    throw new HeadstartError('MISSING_DEPENDENCY', 'the firmata package is missing (johnny-five installs it as an optional dependency); reinstall with optional dependencies enabled');
  }
}
