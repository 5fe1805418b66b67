/**
 * The live dashboard page: connects back to the server that sent it (the
 * token of its URL, if any, goes along), applies each update's sections,
 * appends the trace columns and redraws (at most as often as updates come).
 * During calibration: the prompt, the phase and its countdown, the hold's
 * progress, the checks' advice, the redo question (the only thing the page
 * ever sends), then the verdict and the confusion matrix. During
 * recognition: the current gesture, each class's score, latency, windows
 * per second and dropped windows.
 *
 * For tests and measurements, `window.headstartDashboard` tells the
 * updates received and dropped and, per trace column, the time from its
 * first sample's arrival at the server to its drawing here.
 */
import type { DashboardSections, UpdateMessage } from '../../core/dashboard_messages.ts';
import { TraceChart } from '../charts/trace_chart.ts';
import { confusionTable, el, percent } from '../charts/dom.ts';
import './style.css';

interface Probe {
  updates: number;
  /** Updates the server dropped for this page (it was behind). */
  dropped: number;
  resets: number;
  /** Sample arrival at the server to trace drawn, per column (ms). */
  traceLatencyMs: number[];
  /** The part of it spent in the server, waiting for the next push (ms). */
  serverHoldMs: number[];
  connected: boolean;
  lastSeq: number;
  mode: string;
}

declare global {
  interface Window {
    headstartDashboard: Probe;
  }
}

const probe: Probe = { updates: 0, dropped: 0, resets: 0, traceLatencyMs: [], serverHoldMs: [], connected: false, lastSeq: 0, mode: 'waiting' };
window.headstartDashboard = probe;
const MAX_LATENCY_SAMPLES = 50_000;

const state: Partial<DashboardSections> = {};
let chart: TraceChart | undefined;
let pendingArrivals: number[] = [];
let dirty = new Set<keyof DashboardSections>();
let tracesDirty = false;
let socket: WebSocket | undefined;

const app = document.getElementById('app')!;
app.replaceChildren();
const header = el('header', { id: 'header' }, [el('h1', { id: 'title' }, ['headstart']), el('span', { id: 'link', class: 'pill' }, ['connecting'])]);
const linkDetail = el('div', { id: 'link-detail', class: 'detail' });
const calibration = el('section', { id: 'calibration', hidden: '' });
const live = el('section', { id: 'live', hidden: '' });
const result = el('section', { id: 'result', hidden: '' });
const tracesBox = el('section', { id: 'traces' }, [el('h2', {}, ['Signals'])]);
app.append(header, linkDetail, calibration, live, result, tracesBox);

// Calibration panel.
const trialLine = el('div', { id: 'trial', class: 'detail' });
const prompt = el('div', { id: 'prompt', class: 'big' }, ['—']);
const promptText = el('div', { id: 'prompt-text' });
const phase = el('div', { id: 'phase' });
const countdown = el('span', { id: 'countdown' });
const phaseBar = el('div', { class: 'bar' }, [el('span', { id: 'phase-progress' })]);
const sessionBar = el('div', { class: 'bar session' }, [el('span', { id: 'session-progress' })]);
const issues = el('ul', { id: 'issues', class: 'issues' });
const notes = el('ul', { id: 'notes', class: 'notes' });
const question = el('div', { id: 'question', hidden: '' });
calibration.append(trialLine, prompt, promptText, el('div', { class: 'phase-line' }, [phase, countdown]), phaseBar, el('div', { class: 'detail' }, ['session']), sessionBar, question, issues, notes);

// Live panel.
const gesture = el('div', { id: 'gesture', class: 'big' }, ['—']);
const confidence = el('div', { id: 'confidence', class: 'detail' });
const scores = el('div', { id: 'scores' });
const liveStats = el('div', { id: 'live-stats', class: 'stats' });
live.append(gesture, confidence, scores, liveStats);

function setText(node: HTMLElement, text: string): void {
  if (node.textContent !== text) node.textContent = text;
}

function renderMeta(): void {
  const meta = state.meta!;
  probe.mode = meta.mode;
  setText(document.getElementById('title')!, meta.title);
  document.title = meta.title;
  calibration.hidden = meta.mode !== 'calibration';
  live.hidden = meta.mode !== 'live';
  result.hidden = meta.mode !== 'calibration' || !state.result;
}

function rebuildChart(): void {
  const meta = state.meta!;
  chart?.destroy();
  chart = undefined;
  pendingArrivals = [];
  if (meta.channels === 0) return;
  const width = Math.max(280, Math.min(1100, tracesBox.clientWidth - 120));
  chart = new TraceChart(tracesBox, { channels: meta.channels, secondsPerColumn: meta.perColumn / meta.rate, columns: meta.columns, width, stripHeight: meta.channels > 8 ? 40 : 56 });
}

function renderLink(): void {
  const l = state.link!;
  const node = document.getElementById('link')!;
  setText(node, l.state);
  node.className = `pill ${l.state}`;
  const parts = [l.description, `${l.framesLost} frames lost`, `${l.crcFailures} CRC failures`, `${l.gaps} gaps`];
  if (l.reason) parts.push(`(${l.reason})`);
  parts.push(`${probe.dropped} page updates dropped`);
  setText(linkDetail, parts.filter(Boolean).join(' · '));
}

const PHASE_WORD = { countdown: 'GET READY', hold: 'HOLD', rest: 'RELAX' } as const;

function renderCalibration(): void {
  const c = state.calibration!;
  const t = c.trial;
  setText(trialLine, t ? `trial ${t.index + 1} of ${t.total} · repetition ${t.rep + 1} of ${t.repetitions}` : c.stage === 'training' ? 'training the head…' : '');
  setText(prompt, t ? t.label : '—');
  prompt.dataset.gesture = t?.gesture ?? '';
  setText(promptText, t?.prompt ?? '');
  setText(phase, c.phase ? PHASE_WORD[c.phase] : c.stage === 'training' ? 'TRAINING' : c.stage === 'done' ? 'DONE' : '');
  phase.className = c.phase ?? c.stage;
  setText(countdown, c.phase ? `${c.remaining.toFixed(1)} s` : '');
  const share = c.phaseSeconds > 0 ? 1 - c.remaining / c.phaseSeconds : 0;
  document.getElementById('phase-progress')!.style.width = `${Math.round(Math.max(0, Math.min(1, share)) * 100)}%`;
  document.getElementById('session-progress')!.style.width = `${Math.round(c.progress * 100)}%`;
  issues.hidden = state.question?.open != null;
  issues.replaceChildren(...c.issues.map((i) => el('li', { 'data-kind': i.kind }, [i.advice])));
  notes.replaceChildren(...c.notes.map((n) => el('li', {}, [n])));
}

function answer(id: number, redo: boolean): void {
  socket?.send(JSON.stringify({ type: 'redo-answer', question: id, redo }));
  question.replaceChildren(el('p', {}, [redo ? 'recording it again…' : 'kept']));
}

function renderQuestion(): void {
  const q = state.question!;
  const open = q.open;
  if (!open) {
    question.hidden = !q.last;
    if (q.last) question.replaceChildren(el('p', { id: 'last-answer' }, [`${q.last.redo ? 'redo' : 'kept'} (answered from the ${q.last.from})`]));
    return;
  }
  question.hidden = false;
  const yes = el('button', { id: 'redo-yes', type: 'button' }, ['Redo it']);
  const no = el('button', { id: 'redo-no', type: 'button' }, ['Keep it']);
  yes.addEventListener('click', () => answer(open.id, true));
  no.addEventListener('click', () => answer(open.id, false));
  question.replaceChildren(el('p', { class: 'ask' }, [open.text]), el('ul', { class: 'issues' }, open.issues.map((i) => el('li', {}, [i.advice]))), el('div', { class: 'buttons' }, [yes, no]));
  question.dataset.question = String(open.id);
}

function renderResult(): void {
  const r = state.result;
  result.hidden = !r || state.meta?.mode !== 'calibration';
  if (!r) return;
  const labels = r.gestures.map((g) => g.label);
  const rows = r.gestures.map((g) =>
    el('tr', { class: g.redo ? 'redo' : 'ok' }, [el('td', {}, [g.label]), el('td', {}, [g.accuracy === undefined ? '–' : percent(g.accuracy)]), el('td', {}, [String(g.windows)]), el('td', {}, [g.redo ? 'redo' : 'ok']), el('td', { class: 'reasons' }, [g.reasons.join(' · ')])]),
  );
  result.replaceChildren(
    el('h2', {}, ['Verdict']),
    el('p', { id: 'verdict', class: `verdict ${r.pass ? 'pass' : 'fail'}` }, [r.summary]),
    el('p', { class: 'detail' }, [`${r.accuracy === undefined ? 'not scored' : `held-out accuracy ${percent(r.accuracy)}`} (${r.cvMethod}) · ${r.profile} · report ${r.reportPath}`]),
    el('table', { id: 'per-gesture' }, [el('tr', {}, ['gesture', 'accuracy', 'windows', 'verdict', 'why'].map((h) => el('th', {}, [h]))), ...rows]),
    el('h2', {}, ['Confusion matrix']),
    r.confusion ? confusionTable(labels, r.confusion) : el('p', {}, ['not scored: too few windows to hold any out']),
  );
}

function renderLive(): void {
  const l = state.live!;
  const names = state.meta?.gestures ?? [];
  setText(gesture, l.gesture ?? '—');
  gesture.dataset.gesture = l.gesture ?? '';
  setText(confidence, `${l.gesture ? `confidence ${percent(l.confidence)}` : 'no gesture'}${l.ended ? ` · ended: ${l.ended}` : ''}`);
  if (scores.children.length !== names.length) {
    scores.replaceChildren(...names.map((n) => el('div', { class: 'score' }, [el('span', { class: 'score-name' }, [n]), el('span', { class: 'bar' }, [el('span', {})]), el('span', { class: 'score-value' })])));
  }
  names.forEach((_, i) => {
    const row = scores.children[i] as HTMLElement;
    const v = l.scores[i] ?? 0;
    (row.children[1]!.firstChild as HTMLElement).style.width = `${Math.round(v * 100)}%`;
    setText(row.children[2] as HTMLElement, v.toFixed(2));
    row.classList.toggle('current', names[i] === l.gesture);
  });
  const figures: [string, string][] = [
    ['windows/s', l.windowsPerSecond.toFixed(0)],
    ['latency p50', `${l.latencyP50Ms.toFixed(1)} ms`],
    ['latency p99', `${l.latencyP99Ms.toFixed(1)} ms`],
    ['windows', String(l.inferred)],
    ['dropped windows', String(l.droppedWindows)],
  ];
  if (l.accuracy !== undefined) figures.push(['live accuracy', `${percent(l.accuracy)} of ${l.scored}`]);
  liveStats.replaceChildren(...figures.map(([k, v]) => el('div', { class: 'figure', 'data-figure': k }, [el('span', { class: 'value' }, [v]), el('span', { class: 'label' }, [k])])));
}

function render(): void {
  const changed = dirty;
  dirty = new Set();
  if (changed.has('meta')) renderMeta();
  if (changed.has('link') || changed.has('meta')) renderLink();
  if (state.meta?.mode === 'calibration') {
    if (changed.has('calibration') || changed.has('question')) renderCalibration();
    if (changed.has('question')) renderQuestion();
  }
  if (changed.has('result') || changed.has('meta')) renderResult();
  if (state.meta?.mode === 'live' && (changed.has('live') || changed.has('meta'))) renderLive();
  if (tracesDirty && chart) {
    tracesDirty = false;
    chart.redraw();
    const now = performance.timeOrigin + performance.now();
    for (const at of pendingArrivals) if (probe.traceLatencyMs.length < MAX_LATENCY_SAMPLES) probe.traceLatencyMs.push(now - at);
    pendingArrivals = [];
  }
}

function onUpdate(m: UpdateMessage): void {
  probe.updates++;
  probe.dropped = m.dropped;
  probe.lastSeq = m.seq;
  for (const [name, value] of Object.entries(m.sections) as [keyof DashboardSections, never][]) {
    (state as Record<string, unknown>)[name] = value;
    dirty.add(name);
  }
  if (m.reset) {
    probe.resets++;
    if (state.meta) rebuildChart();
  }
  if (m.traces && chart) {
    chart.append(m.traces);
    // A reset carries the last seconds of history: only columns pushed as they completed measure the delay.
    if (!m.reset) {
      pendingArrivals.push(...m.traces.arrivedAt);
      for (const at of m.traces.arrivedAt) if (probe.serverHoldMs.length < MAX_LATENCY_SAMPLES) probe.serverHoldMs.push(m.sentAt - at);
    }
    tracesDirty = true;
  }
  dirty.add('link');
  // At most MAX_UPDATES_PER_SECOND messages come a second: drawing each as it comes costs no more than a frame
  // callback would, and does not add up to a frame's wait to every trace.
  render();
}

function connect(): void {
  const token = new URLSearchParams(location.search).get('token');
  const url = `ws://${location.host}/ws${token ? `?token=${encodeURIComponent(token)}` : ''}`;
  const ws = new WebSocket(url);
  socket = ws;
  ws.onopen = () => (probe.connected = true);
  ws.onmessage = (e) => onUpdate(JSON.parse(e.data as string) as UpdateMessage);
  ws.onclose = () => {
    probe.connected = false;
    const node = document.getElementById('link')!;
    setText(node, 'headstart stopped');
    node.className = 'pill disconnected';
    // The device may have restarted: try again a little later.
    setTimeout(connect, 2000);
  };
}

connect();
