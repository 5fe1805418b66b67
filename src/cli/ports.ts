import { readdirSync } from 'node:fs';
import type { Command } from 'commander';
import { SerialPort } from 'serialport';
import { HeadstartError } from '../core/errors.ts';
import { addHelpNotes } from './help.ts';

/** USB vendor ids of the adapters sensor boards usually sit behind, to hint which port is which. */
const KNOWN_VENDORS: Record<string, string> = {
  '2341': 'Arduino',
  '2a03': 'Arduino',
  '1a86': 'CH340 USB-serial (Arduino clones)',
  '0403': 'FTDI USB-serial (OpenBCI dongle, many boards)',
  '10c4': 'CP210x USB-serial (ESP32 boards)',
  '239a': 'Adafruit',
  '2e8a': 'Raspberry Pi RP2040',
  '303a': 'Espressif',
};

interface PortRow {
  path: string;
  manufacturer?: string;
  serialNumber?: string;
  vendorId?: string;
  productId?: string;
  /** What the vendor id suggests. */
  likely?: string;
}

export function registerPorts(program: Command): void {
  const cmd = program
    .command('ports')
    .summary("list this machine's serial ports (USB vendor hints), to find the board")
    .description('list the serial ports of this machine, to find the one a sensor board is on')
    .option('--json', 'print a JSON array of {path, manufacturer, serialNumber, vendorId, productId, likely}');
  addHelpNotes(cmd, {
    notes: [
      'A board on USB shows up as /dev/ttyACM* or /dev/ttyUSB* on Linux, /dev/cu.usbmodem* on macOS, COM<n> on Windows. Pseudo-terminals (e.g. from `headstart sim --pty`) are not listed: use their path directly.',
    ],
    examples: ['$ headstart ports', '/dev/ttyACM0  Arduino (www.arduino.cc)  2341:0043  serial 55736303735351D0E0B1  likely: Arduino'],
    examplesTitle: 'Example (and what it prints):',
  });
  cmd
    .action(async (opts: { json?: boolean }) => {
      let found: Awaited<ReturnType<typeof SerialPort.list>>;
      try {
        found = await SerialPort.list();
      } catch (err) {
        // On Linux serialport asks udevadm for USB details; minimal systems and containers lack it.
        if (process.platform !== 'linux') {
          throw new HeadstartError('PORT_LIST_FAILED', `cannot list serial ports (${(err as Error).message}); give the port path directly instead`);
        }
        if (!opts.json) process.stderr.write(`(no USB details: ${(err as Error).message}; listing device names only)\n`);
        found = linuxSerialDeviceNames().map((path) => ({ path, manufacturer: undefined, serialNumber: undefined, pnpId: undefined, locationId: undefined, productId: undefined, vendorId: undefined }));
      }
      const rows: PortRow[] = found
        .map((p) => ({
          path: p.path,
          ...(p.manufacturer ? { manufacturer: p.manufacturer } : {}),
          ...(p.serialNumber ? { serialNumber: p.serialNumber } : {}),
          ...(p.vendorId ? { vendorId: p.vendorId.toLowerCase() } : {}),
          ...(p.productId ? { productId: p.productId.toLowerCase() } : {}),
          ...(p.vendorId && KNOWN_VENDORS[p.vendorId.toLowerCase()] ? { likely: KNOWN_VENDORS[p.vendorId.toLowerCase()] } : {}),
        }))
        .sort((a, b) => a.path.localeCompare(b.path, 'en', { numeric: true }));
      if (opts.json) {
        process.stdout.write(JSON.stringify(rows) + '\n');
        return;
      }
      if (rows.length === 0) {
        process.stdout.write('no serial ports found. Plug the board in (check the cable carries data), or make a virtual one with `headstart sim --pty <path>`.\n');
        return;
      }
      for (const r of rows) {
        const parts = [r.path, r.manufacturer, r.vendorId && `${r.vendorId}:${r.productId ?? '?'}`, r.serialNumber && `serial ${r.serialNumber}`, r.likely && `likely: ${r.likely}`];
        process.stdout.write(parts.filter(Boolean).join('  ') + '\n');
      }
    });
}

/** Serial device nodes by name, for Linux without udev: USB CDC/serial adapters, Pi UARTs, Bluetooth serial. */
function linuxSerialDeviceNames(): string[] {
  let names: string[];
  try {
    names = readdirSync('/dev');
  } catch {
    return [];
  }
  return names.filter((n) => /^(ttyACM\d+|ttyUSB\d+|ttyAMA\d+|ttyTHS\d+|serial\d+|rfcomm\d+)$/.test(n)).map((n) => `/dev/${n}`);
}
