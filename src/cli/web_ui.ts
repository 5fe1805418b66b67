/**
 * `--ui web` and `--listen host:port`, shared by calibrate, run and demo:
 * the options, and opening the dashboard with its URL printed on stderr.
 */
import type { Option } from 'commander';
import { HeadstartError } from '../core/errors.ts';
import { openWebDashboard, type WebDashboard } from '../device/web/dashboard.ts';
import { DEFAULT_LISTEN, isLoopbackHost, parseListenAddress } from '../device/web/listen_address.ts';
import { choiceOption, textOption } from './options.ts';

export const UI_CHOICES = ['terminal', 'web'] as const;
export type UiChoice = (typeof UI_CHOICES)[number];

export interface WebUiOptions {
  ui: UiChoice;
  listen?: string;
}

/** `--ui`: what the page shows, in words, differs by verb. */
export function uiOption(shows: string): Option {
  return choiceOption('--ui <kind>', `where to watch: terminal, or web (the terminal's output and a live page served by this process, offline: ${shows})`, UI_CHOICES, 'terminal');
}

export function listenOption(): Option {
  return textOption('--listen <host:port>', `with --ui web: where the page is served (default ${DEFAULT_LISTEN.host} on a free port; any other address, e.g. 0.0.0.0:8080 for a phone on the same network, needs the token the printed URL carries)`);
}

/** Checks the options (before anything is opened): whether the page is wanted, and where. */
export function parseWebUi(opts: WebUiOptions): { listen: ReturnType<typeof parseListenAddress> } | undefined {
  if (opts.ui !== 'web') {
    if (opts.listen !== undefined) throw new HeadstartError('MISSING_OPTION', '--listen sets where the page is served: add --ui web', { option: '--listen' });
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
