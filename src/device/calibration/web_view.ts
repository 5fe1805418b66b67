/**
 * The calibration on the web dashboard: the prompt, the phase and its
 * countdown, the hold's progress, the link, every sample block for the
 * traces, the checks' advice, the redo question (answered from the page;
 * withdrawn when the terminal answered first), then the verdict,
 * per-gesture accuracy and the confusion matrix. A view of the session
 * like the terminal's; both can watch one session (views.ts).
 */
import type { DashboardFeed } from '../web/dashboard_feed.ts';
import type { CalibrationView, SessionEvent, TrialInfo } from './events.ts';
import type { QualityIssue } from './quality.ts';

/** Notes kept on the page (the latest). */
const MAX_NOTES = 6;

export class WebCalibrationView implements CalibrationView {
  readonly name = 'page';
  readonly #feed: DashboardFeed;
  readonly #title: string;
  #asked: number | undefined;

  /** `offerRedo: false` (scripts, the demo): the page shows the checks but asks nothing. */
  constructor(options: { feed: DashboardFeed; title: string; offerRedo?: boolean }) {
    this.#feed = options.feed;
    this.#title = options.title;
    if (options.offerRedo === false) this.askRedo = undefined;
  }

  event(e: SessionEvent): void {
    const feed = this.#feed;
    switch (e.type) {
      case 'started':
        feed.begin({ mode: 'calibration', title: `${this.#title} · ${e.profile} · ${e.protocol}`, channels: e.channels, rate: e.rate, gestures: e.gestures.map((g) => g.label) });
        feed.set('calibration', { stage: 'recording', remaining: 0, phaseSeconds: 0, progress: e.alreadyDone / Math.max(1, e.trials), issues: [], notes: e.resumed ? [`resumed: ${e.alreadyDone} of ${e.trials} trials already done`] : [] });
        feed.set('result', null);
        feed.patch('link', { state: 'connected', description: e.board, reason: undefined });
        return;
      case 'samples':
        feed.samples(e.samples, e.arrivedAtMs);
        return;
      case 'link':
        feed.patch('link', { state: e.state, description: e.description, reason: e.reason });
        return;
      case 'loss':
        feed.patch('link', { framesLost: e.missingFrames, missingSamples: e.missingSamples, crcFailures: e.crcFailures, gaps: e.gaps });
        return;
      case 'trial': {
        const t = e.trial;
        feed.patch('calibration', {
          trial: { index: t.index, total: t.total, gesture: t.gestureInfo.id, label: t.gestureInfo.label, prompt: t.gestureInfo.prompt, rep: t.rep, repetitions: t.repetitions },
          issues: [],
          notes: [],
        });
        return;
      }
      case 'phase':
        feed.patch('calibration', { phase: e.phase, phaseSeconds: e.seconds, remaining: e.seconds });
        return;
      case 'tick':
        feed.patch('calibration', { remaining: e.remaining, progress: e.progress });
        return;
      case 'quality':
        feed.patch('calibration', { issues: e.issues.map(toIssue), phase: undefined });
        return;
      case 'redo':
        this.#note(`recording ${e.trial.gestureInfo.label} again (${e.reason})`);
        return;
      case 'redo-answer':
        if (e.from !== this.name && this.#asked !== undefined) feed.answeredElsewhere(this.#asked, e.redo, e.from);
        return;
      case 'gap':
        this.#note(`the link lost ${e.info.missingSamples ?? 'an unknown number of'} samples (${e.info.cause}); a hold with a gap is checked and can be redone`);
        return;
      case 'recorded':
        feed.patch('calibration', { phase: undefined, remaining: 0, progress: 1, notes: ['recording complete'] });
        return;
      case 'training':
        feed.patch('calibration', { stage: 'training', trial: undefined, phase: undefined, issues: [], notes: [`training the head on ${e.windows} windows of ${e.classes} ${e.classNoun}…`] });
        return;
      case 'result': {
        const o = e.outcome;
        feed.set('result', {
          pass: o.verdict.pass,
          summary: o.verdict.summary,
          gestures: o.verdict.gestures.map((g) => ({ id: g.id, label: g.label, ...(g.accuracy === undefined ? {} : { accuracy: g.accuracy }), windows: g.windows, redo: g.redo, reasons: g.reasons })),
          ...(o.confusion ? { confusion: o.confusion } : {}),
          cvMethod: o.cvMethod,
          ...(o.accuracy === undefined ? {} : { accuracy: o.accuracy }),
          profile: o.profile,
          reportPath: o.reportPath,
        });
        feed.patch('calibration', { stage: 'done', trial: undefined, phase: undefined, notes: [`profile saved: ${o.profilePath}`] });
        return;
      }
    }
  }

  askRedo?: (trial: TrialInfo, issues: QualityIssue[], signal?: AbortSignal) => Promise<boolean> = (trial, issues, signal) => {
    const question = this.#feed.ask(`Redo ${trial.gestureInfo.label}, repetition ${trial.rep + 1}?`, { gesture: trial.gestureInfo.id, rep: trial.rep, issues: issues.map(toIssue) });
    this.#asked = question.id;
    if (signal?.aborted) question.withdraw();
    else signal?.addEventListener('abort', () => question.withdraw(), { once: true });
    return question.answered;
  };

  #note(text: string): void {
    const notes = [...this.#feed.sections.calibration.notes, text].slice(-MAX_NOTES);
    this.#feed.patch('calibration', { notes });
  }
}

function toIssue(i: QualityIssue): { kind: string; channel?: number; advice: string } {
  return { kind: i.kind, ...(i.channel === undefined ? {} : { channel: i.channel }), advice: i.advice };
}
