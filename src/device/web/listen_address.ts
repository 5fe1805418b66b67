/**
 * Where the dashboard listens: `--listen host:port`, `host`, `:port` or
 * `[v6]:port`. The default is the loopback interface on a free port; any
 * other address puts the page on the network, where it needs a token.
 */
import { isIP } from 'node:net';
import { HeadstartError } from '../../core/errors.ts';

export interface ListenAddress {
  host: string;
  /** 0: a free port chosen by the system. */
  port: number;
}

export const DEFAULT_LISTEN: ListenAddress = { host: '127.0.0.1', port: 0 };

export function parseListenAddress(text: string): ListenAddress {
  const bad = (why: string): HeadstartError =>
    new HeadstartError('BAD_OPTION', `--listen ${JSON.stringify(text)}: ${why}; give host:port (127.0.0.1:8080, 0.0.0.0:8080 to reach it from another device, [::1]:8080), a host alone (a free port), or :port (the loopback interface)`, { option: '--listen' });
  const trimmed = text.trim();
  if (trimmed === '') throw bad('empty');
  let host: string;
  let portText: string | undefined;
  const v6 = /^\[([^\]]+)\](?::(.*))?$/.exec(trimmed);
  if (v6) {
    host = v6[1]!;
    portText = v6[2];
    if (isIP(host) !== 6) throw bad(`${host} is not an IPv6 address`);
  } else if (isIP(trimmed) === 6) {
    host = trimmed;
  } else {
    const colon = trimmed.lastIndexOf(':');
    host = colon < 0 ? trimmed : trimmed.slice(0, colon);
    portText = colon < 0 ? undefined : trimmed.slice(colon + 1);
    if (host === '') host = DEFAULT_LISTEN.host;
    if (isIP(host) === 0 && !/^[A-Za-z0-9]([A-Za-z0-9.-]{0,251}[A-Za-z0-9])?$/.test(host)) throw bad(`${JSON.stringify(host)} is not an address or a host name`);
  }
  let port = 0;
  if (portText !== undefined) {
    if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) throw bad(`the port must be a whole number 0..65535 (0: a free one), got ${JSON.stringify(portText)}`);
    port = Number(portText);
  }
  return { host, port };
}

/** Whether only this machine can reach an address bound to `host` (no token needed then). */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  return isIP(h) === 4 && h.startsWith('127.');
}

/** `host` as it appears in a URL (IPv6 in brackets). */
export function urlHost(host: string, port: number): string {
  return `${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
}
