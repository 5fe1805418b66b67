import type { Command } from 'commander';
import { createInterface } from 'node:readline/promises';
import { HeadstartError } from '../core/errors.ts';
import { resolveDataDir } from '../device/profiles/data_dir.ts';
import type { SavedProfile } from '../device/profiles/profile.ts';
import { ProfileStore, type ProfileUserSummary, type ProfileVersionSummary } from '../device/profiles/store.ts';
import { addHelpNotes } from './help.ts';
import { dataDirOption, parseNumber } from './options.ts';

interface CommonOptions {
  dataDir?: string;
  json?: boolean;
}

interface RmOptions extends CommonOptions {
  withRecordings?: boolean;
  yes?: boolean;
}

/** Lines under a user in `profile list` that are not versions: a pointer problem, an interrupted calibration, kept recordings. */
function userNotes(u: ProfileUserSummary): string[] {
  const notes: string[] = [];
  if (u.pointerProblem) notes.push(`! no version in use: ${u.pointerProblem}; choose one with \`headstart profile use ${u.user} <version>\``);
  if (u.interruptedCalibration) notes.push(`! interrupted calibration (${u.interruptedCalibration}): \`headstart calibrate --port <port> --profile ${u.user} --resume\` continues it`);
  if (u.versions.length === 0 && !u.interruptedCalibration) {
    notes.push(u.recordings > 0 ? `no saved version; ${u.recordings} calibration recording${u.recordings === 1 ? '' : 's'} kept (\`headstart profile rm ${u.user} --with-recordings\` removes them)` : 'no saved version');
  }
  return notes;
}

/** Asks on the terminal; true only for an explicit yes. */
async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await rl.question(`${question} [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

function storeOf(opts: CommonOptions): ProfileStore {
  return new ProfileStore(resolveDataDir(opts.dataDir));
}

/** A version as `profile show` lists it: 3 or v3. */
function versionNumber(value: string): number {
  return parseNumber('<version>', value.replace(/^v/, ''), { integer: true, min: 1 });
}

function pct(x: number | undefined): string {
  return x === undefined ? '-' : `${(100 * x).toFixed(1)} %`;
}

function versionLine(v: ProfileVersionSummary): string {
  const mark = v.current ? '*' : ' ';
  if (v.damaged) return `${mark} v${v.version}  DAMAGED: ${v.damaged}`;
  return `${mark} v${v.version}  ${v.createdAt}  ${(v.headKind ?? '').padEnd(7)}  cv ${pct(v.cvAccuracy).padStart(7)} (${v.cvMethod})  extractor ${v.extractorSha256?.slice(0, 12)}…`;
}

function describeProfile(p: SavedProfile): string {
  const cv = p.cv;
  const lines = [
    `profile '${p.user}' version ${p.version}, saved ${p.createdAt}`,
    `package ${p.package.name}${p.package.dir ? ` (${p.package.dir})` : ''}, extractor sha256 ${p.extractorSha256}`,
    `head: ${p.head.kind}, ${p.head.classes} gestures x ${p.head.dim}-value embeddings`,
    `held-out accuracy (${cv.method}, ${cv.folds} folds): ${Object.entries(cv.accuracy).map(([k, a]) => `${k} ${pct(a)}`).join(', ') || 'none (nothing to hold out)'}; chosen: ${cv.chosen}`,
  ];
  if (p.calibration) lines.push(`calibration: ${p.calibration.windows} windows, ${p.calibration.repetitions} repetitions${p.calibration.seconds !== undefined ? `, ${p.calibration.seconds.toFixed(1)} s` : ''}${p.calibration.source ? ` from ${p.calibration.source}` : ''}`);
  const sync = p.sync;
  if (sync) {
    const parts = [`sync gesture ${sync.gesture}`];
    if (sync.heads) parts.push(`heads prepared for turns ${sync.heads.map((h) => (h.shift > 0 ? `+${h.shift}` : String(h.shift))).join(' ')}`);
    if (sync.tolerantHead) parts.push('a turn-tolerant head (run --tolerate-turn)');
    if (sync.autoCheck) parts.push(sync.autoCheck.misses === 0 ? `automatic sync checked: ${sync.autoCheck.trials} of ${sync.autoCheck.trials} turns found` : `automatic sync not trusted: it missed ${sync.autoCheck.misses} of ${sync.autoCheck.trials} turns of this calibration (run --sync auto reports, does not apply)`);
    lines.push(`re-wearing: ${parts.join('; ')}`);
  }
  if (p.adaptation) {
    const a = p.adaptation;
    const which = a.tolerant ? 'the turn-tolerant head' : a.preparedShift !== undefined ? `the head prepared for a band turned ${a.preparedShift > 0 ? '+' : ''}${a.preparedShift} electrodes` : "the calibration's head";
    lines.push(`adapted without labels from version ${a.fromVersion} (${which}): ${a.updates} updates, ${a.resets} resets`);
  }
  lines.push('gestures:');
  p.gestures.forEach((g, i) => lines.push(`  ${i} ${g.padEnd(20)} ${cv.perClass ? pct(cv.perClass[i]) : ''}`));
  return lines.join('\n') + '\n';
}

const DATA_DIR_HELP = 'where the profiles live (default $HEADSTART_DATA_DIR, else ~/.headstart)';

export function registerProfile(program: Command): void {
  const profile = program
    .command('profile')
    .summary('list, show, use, roll back or remove the wearers\' profiles (versioned heads, the last 5 kept)')
    .description(
      "manage wearers' profiles: each calibration saves a new version (head weights, the extractor it was trained for, held-out accuracy, gesture names, date) under <data dir>/profiles/<user>/; the last 5 versions are kept",
    );
  addHelpNotes(profile, {
    notes: ['Saves are atomic (a crash leaves the old version or the new one, never a torn file).'],
    examples: [
      '$ headstart profile list',
      '$ headstart profile show alice',
      '$ headstart profile rollback alice     # back to the version before',
      '$ headstart profile use alice 3',
      '$ headstart profile rm alice 2',
    ],
  });

  const list = profile
    .command('list')
    .description('every profile with its versions (* = the version in use)')
    .addOption(dataDirOption(DATA_DIR_HELP))
    .option('--json', 'print JSON: [{ user, current, versions: [{ version, current, createdAt, headKind, cvAccuracy, ... }], pointerProblem?, interruptedCalibration?, recordings }]');
  addHelpNotes(list, { examples: ['$ headstart profile list --data-dir /var/lib/headstart'] });
  list.action((opts: CommonOptions) => {
    const store = storeOf(opts);
    const summaries = store.list();
    const users = summaries.map((u) => ({ ...u, current: u.current ?? null, versions: store.versions(u.user) }));
    if (opts.json) {
      process.stdout.write(JSON.stringify(users) + '\n');
      return;
    }
    if (users.length === 0) {
      process.stdout.write(`no profiles in ${store.root}; \`headstart calibrate\` makes one\n`);
      return;
    }
    for (const [i, u] of users.entries()) {
      const lines = [...u.versions.map((v) => `  ${versionLine(v)}`), ...userNotes(summaries[i]!).map((n) => `  ${n}`)];
      process.stdout.write(`${u.user}\n${lines.join('\n')}\n`);
    }
  });

  const show = profile
    .command('show')
    .description('one profile version in full: package, extractor hash, head, held-out accuracy per gesture')
    .argument('<user>', 'the profile')
    .argument('[version]', 'which version (default: the one in use)')
    .addOption(dataDirOption(DATA_DIR_HELP))
    .option('--json', 'print the stored profile as JSON (head weights included) with the list of versions');
  addHelpNotes(show, { examples: ['$ headstart profile show alice', '$ headstart profile show alice 2 --json'] });
  show.action((user: string, version: string | undefined, opts: CommonOptions) => {
    const store = storeOf(opts);
    const p = store.load(user, version === undefined ? undefined : versionNumber(version));
    if (opts.json) {
      process.stdout.write(JSON.stringify({ profile: p, versions: store.versions(user) }) + '\n');
      return;
    }
    process.stdout.write(describeProfile(p) + `versions:\n${store.versions(user).map((v) => `  ${versionLine(v)}`).join('\n')}\n`);
  });

  const use = profile
    .command('use')
    .description('make a version the one in use')
    .argument('<user>', 'the profile')
    .argument('<version>', 'the version to use (as listed by `profile show`)')
    .addOption(dataDirOption(DATA_DIR_HELP))
    .option('--json', 'print { user, version } of the version now in use');
  addHelpNotes(use, { examples: ['$ headstart profile use alice 3'] });
  use.action((user: string, version: string, opts: CommonOptions) => {
    const p = storeOf(opts).use(user, versionNumber(version));
    process.stdout.write(opts.json ? JSON.stringify({ user, version: p.version }) + '\n' : `profile '${user}' now uses version ${p.version} (${p.head.kind} head, saved ${p.createdAt})\n`);
  });

  const rollback = profile
    .command('rollback')
    .description('go back to the version before the one in use')
    .argument('<user>', 'the profile')
    .addOption(dataDirOption(DATA_DIR_HELP))
    .option('--json', 'print { user, version } of the version now in use');
  addHelpNotes(rollback, { examples: ['$ headstart profile rollback alice'], examplesTitle: 'Example (a new calibration went badly):' });
  rollback.action((user: string, opts: CommonOptions) => {
    const p = storeOf(opts).rollback(user);
    process.stdout.write(opts.json ? JSON.stringify({ user, version: p.version }) + '\n' : `profile '${user}' now uses version ${p.version} (${p.head.kind} head, saved ${p.createdAt})\n`);
  });

  const rm = profile
    .command('rm')
    .description("remove one version (the one in use only when it is damaged), or the whole profile; its calibration recordings are kept unless --with-recordings")
    .argument('<user>', 'the profile')
    .argument('[version]', 'remove only this version (default: the whole profile)')
    .addOption(dataDirOption(DATA_DIR_HELP))
    .option('--with-recordings', "with the whole profile, also remove its calibration recordings (the wearer's raw data, which cannot be recorded again); asks first on a terminal")
    .option('--yes', 'do not ask before removing the recordings')
    .option('--json', 'print { user, removed, nowCurrent?, keptRecordings? } (removed: a version number, or "all")');
  addHelpNotes(rm, {
    notes: [
      'A damaged version that is the one in use can be removed: the newest good version before it becomes the one in use (else the next good one after it). Removing the whole profile keeps <data dir>/profiles/<user>/calibration/, the recordings a new calibration or `--only` can build on.',
    ],
    examples: [
      '$ headstart profile rm alice 2',
      '$ headstart profile rm alice                          # every version; the calibration recordings stay',
      '$ headstart profile rm alice --with-recordings --yes  # everything',
    ],
  });
  rm.action(async (user: string, versionText: string | undefined, opts: RmOptions) => {
    const version = versionText === undefined ? undefined : versionNumber(versionText);
    if (opts.withRecordings && version !== undefined) {
      throw new HeadstartError('BAD_OPTION', `--with-recordings goes with the whole profile; \`headstart profile rm ${user} ${version}\` removes one version and no recording`, { option: '--with-recordings' });
    }
    const store = storeOf(opts);
    if (opts.withRecordings && !opts.yes && process.stdin.isTTY === true) {
      const summary = store.list().find((u) => u.user === user);
      const what = summary ? `${summary.recordings} calibration recording${summary.recordings === 1 ? '' : 's'}${summary.interruptedCalibration ? ' and an interrupted calibration' : ''}` : 'its calibration recordings';
      if (!(await confirm(`remove profile '${user}' with ${what}? They cannot be recorded again.`))) {
        throw new HeadstartError('INTERRUPTED', `nothing removed: profile '${user}' is as it was`);
      }
    }
    const result = store.rm(user, version, { withRecordings: opts.withRecordings === true });
    if (opts.json) {
      process.stdout.write(JSON.stringify({ user, ...result }) + '\n');
      return;
    }
    if (version === undefined) {
      process.stdout.write(result.keptRecordings ? `profile '${user}' removed; its calibration recordings are kept in ${result.keptRecordings} (\`headstart profile rm ${user} --with-recordings\` removes them)\n` : `profile '${user}' removed\n`);
      return;
    }
    const now = result.nowCurrent === undefined ? '' : result.nowCurrent === null ? '; no good version is left in use: calibrate again' : `; version ${result.nowCurrent} is now the one in use`;
    process.stdout.write(`profile '${user}' version ${version} removed${now}\n`);
  });
}
