import type { Command } from 'commander';
import { resolveDataDir } from '../device/profiles/data_dir.ts';
import type { SavedProfile } from '../device/profiles/profile.ts';
import { ProfileStore, type ProfileVersionSummary } from '../device/profiles/store.ts';
import { addHelpNotes } from './help.ts';
import { dataDirOption, parseNumber } from './options.ts';

interface CommonOptions {
  dataDir?: string;
  json?: boolean;
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
    .option('--json', 'print JSON: [{ user, current, versions: [{ version, current, createdAt, headKind, cvAccuracy, ... }] }]');
  addHelpNotes(list, { examples: ['$ headstart profile list --data-dir /var/lib/headstart'] });
  list.action((opts: CommonOptions) => {
    const store = storeOf(opts);
    const users = store.list().map((u) => ({ user: u.user, current: u.current ?? null, versions: store.versions(u.user) }));
    if (opts.json) {
      process.stdout.write(JSON.stringify(users) + '\n');
      return;
    }
    if (users.length === 0) {
      process.stdout.write(`no profiles in ${store.root}; \`headstart calibrate\` makes one\n`);
      return;
    }
    for (const u of users) process.stdout.write(`${u.user}\n${u.versions.map((v) => `  ${versionLine(v)}`).join('\n')}\n`);
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
    .description('remove one version (not the one in use), or the whole profile')
    .argument('<user>', 'the profile')
    .argument('[version]', 'remove only this version (default: the whole profile)')
    .addOption(dataDirOption(DATA_DIR_HELP))
    .option('--json', 'print { user, removed } (removed: a version number, or "all")');
  addHelpNotes(rm, { examples: ['$ headstart profile rm alice 2', '$ headstart profile rm alice            # every version, and its calibration recordings'] });
  rm.action((user: string, versionText: string | undefined, opts: CommonOptions) => {
    const version = versionText === undefined ? undefined : versionNumber(versionText);
    storeOf(opts).rm(user, version);
    const removed = version ?? 'all';
    process.stdout.write(opts.json ? JSON.stringify({ user, removed }) + '\n' : version === undefined ? `profile '${user}' removed\n` : `profile '${user}' version ${version} removed\n`);
  });
}
