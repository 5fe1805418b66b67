/**
 * What the live dashboard's server and its page say to each other over the
 * WebSocket, as JSON. The server pushes `update` messages at a bounded rate;
 * each carries the trace columns completed since the previous one and the
 * state sections that changed (every section a client lacks, so a client
 * whose updates were dropped catches up with the next one). The page can
 * send one thing: the answer to the redo question it was offered.
 */

/** The most updates a client is sent per second. */
export const MAX_UPDATES_PER_SECOND = 30;

/** Longest message the server accepts from a page (an answer is a few dozen bytes). */
export const MAX_CLIENT_MESSAGE_BYTES = 256;

export type DashboardMode = 'waiting' | 'calibration' | 'live';

export interface MetaSection {
  mode: DashboardMode;
  title: string;
  channels: number;
  rate: number;
  /** Samples per trace column, and the number of columns shown (the trace's length). */
  perColumn: number;
  columns: number;
  /** Gesture labels: the protocol's (calibration) or the profile's (live), in class order. */
  gestures: string[];
}

export type LinkStateName = 'connecting' | 'connected' | 'reconnecting' | 'disconnected';

export interface LinkSection {
  state: LinkStateName;
  description: string;
  /** Why the link dropped (reconnecting). */
  reason?: string;
  /** Frames found missing and CRC failures since the session started. */
  framesLost: number;
  missingSamples: number;
  crcFailures: number;
  gaps: number;
}

export interface DashboardIssue {
  kind: string;
  channel?: number;
  advice: string;
}

export interface CalibrationSection {
  stage: 'recording' | 'training' | 'done';
  trial?: { index: number; total: number; gesture: string; label: string; prompt: string; rep: number; repetitions: number };
  phase?: 'countdown' | 'hold' | 'rest';
  /** Seconds left in the phase and its length (on the board's sample clock). */
  remaining: number;
  phaseSeconds: number;
  /** Share of the session's samples recorded, 0..1. */
  progress: number;
  /** The latest hold's quality issues, each with its advice. */
  issues: DashboardIssue[];
  /** Short lines: a redo, a link gap, training started. */
  notes: string[];
}

export interface QuestionSection {
  /** The open question (answer it with its id), or none. */
  open: { id: number; text: string; gesture: string; rep: number; issues: DashboardIssue[] } | null;
  /** The latest answer, and where it came from (the page or the terminal). */
  last: { id: number; redo: boolean; from: string } | null;
}

export interface ResultSection {
  pass: boolean;
  summary: string;
  gestures: { id: string; label: string; accuracy?: number; windows: number; redo: boolean; reasons: string[] }[];
  /** Rows: gesture asked; columns: gesture recognized (windows). */
  confusion?: number[][];
  cvMethod: string;
  accuracy?: number;
  profile: string;
  reportPath: string;
}

export interface LiveSection {
  gesture: string | null;
  confidence: number;
  /** The latest window's score per class. */
  scores: number[];
  windowsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  windows: number;
  inferred: number;
  droppedWindows: number;
  /** With a scored replay: live per-window accuracy so far. */
  accuracy?: number;
  scored?: number;
  /** Set once the session has ended: why. */
  ended?: string;
}

export interface DashboardSections {
  meta: MetaSection;
  link: LinkSection;
  calibration: CalibrationSection;
  question: QuestionSection;
  result: ResultSection | null;
  live: LiveSection;
}

export type SectionName = keyof DashboardSections;

export const SECTION_NAMES: readonly SectionName[] = ['meta', 'link', 'calibration', 'question', 'result', 'live'];

/** Trace columns, channel-major, as EnvelopeDecimator gives them; arrival times in Unix epoch ms. */
export interface TraceChunk {
  first: number;
  min: number[][];
  max: number[][];
  arrivedAt: number[];
}

export interface UpdateMessage {
  type: 'update';
  seq: number;
  /** When the server sent it (Unix epoch ms). */
  sentAt: number;
  /** Updates not sent to this client so far because it was behind. */
  dropped: number;
  /** True when the page must forget its traces first (first message, or a new mode or board). */
  reset: boolean;
  sections: Partial<DashboardSections>;
  traces?: TraceChunk;
}

export interface RedoAnswerMessage {
  type: 'redo-answer';
  question: number;
  redo: boolean;
}

/** A page's message, or undefined for anything that is not a well-formed answer. */
export function parseClientMessage(text: string): RedoAnswerMessage | undefined {
  if (text.length > MAX_CLIENT_MESSAGE_BYTES) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const m = value as Record<string, unknown>;
  if (m.type !== 'redo-answer' || typeof m.redo !== 'boolean' || typeof m.question !== 'number' || !Number.isInteger(m.question)) return undefined;
  return { type: 'redo-answer', question: m.question, redo: m.redo };
}
