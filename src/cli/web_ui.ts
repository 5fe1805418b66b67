/**
 * `--ui web` and `--listen host:port`, shared by calibrate, run and demo:
 * the options, and opening the dashboard with its URL printed on stderr.
 */
import { Option } from 'commander';
import { HeadstartError } from '../core/errors.ts';
import { openWebDashboard, type WebDashboard } from '../device/web/dashboard.ts';
import { DEFAULT_LISTEN, isLoopbackHost, parseListenAddress } from '../device/web/listen_address.ts';

export interface WebUiOptions {
  ui: string;
  listen?: string;
}

export const UI_CHOICES = ['terminal', 'web'] as const;

/** `--ui`: what the page shows, in words, differs by verb. */
export function uiOption(shows: string): Option {
  return new Option('--ui <kind>', `where to watch: terminal, or web (the terminal's output and a live page served by this process, offline: ${shows})`).default('terminal');
}

export function listenOption(): Option {
  return new Option('--listen <host:port>', `with --ui web: where the page is served (default ${DEFAULT_LISTEN.host} on a free port; any other address, e.g. 0.0.0.0:8080 for a phone on the same network, needs the token the printed URL carries)`);
}

/** Checks the options (before anything is opened): whether the page is wanted, and where. */
export function parseWebUi(opts: WebUiOptions): { listen: ReturnType<typeof parseListenAddress> } | undefined {
  if (!(UI_CHOICES as readonly string[]).includes(opts.ui)) throw new HeadstartError('BAD_OPTION', `--ui must be one of ${UI_CHOICES.join(', ')}, got "${opts.ui}"`, { option: '--ui' });
  if (opts.ui !== 'web') {
    if (opts.listen !== undefined) throw new HeadstartError('BAD_OPTION', '--listen sets where the page is served: add --ui web', { option: '--listen' });
    return undefined;
  }
  return { listen: opts.listen === undefined ? DEFAULT_LISTEN : parseListenAddress(opts.listen) };
}

/** Opens the dashboard and prints where to find it. */
export async function startWebUi(web: { listen: ReturnType<typeof parseListenAddress> }, log: (line: string) => void): Promise<WebDashboard> {
  const dashboard = await openWebDashboard({ listen: web.listen });
  for (const url of dashboard.urls) log(`dashboard: ${url}`);
  if (!isLoopbackHost(web.listen.host)) log('note: the dashboard is reachable from the network; anyone with its URL (the token included) can watch, and answer the redo question');
  return dashboard;
}
