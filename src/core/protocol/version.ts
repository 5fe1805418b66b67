import { HeadstartError } from '../errors.ts';
import { PROTOCOL_VERSION } from './wire.ts';

/** The error a host gives when a board speaks another protocol version. */
export function versionMismatchError(boardVersion: number): HeadstartError {
  const fix =
    boardVersion > PROTOCOL_VERSION
      ? 'upgrade headstart on this host, or flash the board with the firmware-bridge sketch of this headstart release'
      : 'flash the board with the firmware-bridge sketch of this headstart release (firmware-bridge/arduino/headstart_sensor)';
  return new HeadstartError(
    'PROTOCOL_VERSION_MISMATCH',
    `the board speaks headstart protocol version ${boardVersion} but this host speaks version ${PROTOCOL_VERSION}: ${fix}`,
    { boardVersion, hostVersion: PROTOCOL_VERSION },
  );
}
