/**
 * The calibration as plain lines, for `--auto` (no terminal, no questions):
 * one line per trial and per phase, quality advice and link gaps as they
 * happen. Meant for stderr: stdout stays for the result.
 */
import type { CalibrationView, SessionEvent } from './events.ts';

export class LineView implements CalibrationView {
  readonly #write: (line: string) => void;

  constructor(write: (line: string) => void) {
    this.#write = write;
  }

  event(e: SessionEvent): void {
    switch (e.type) {
      case 'started':
        this.#write(`calibrating '${e.profile}' with protocol ${e.protocol} on ${e.board} (${e.channels} ch at ${e.rate} Hz): ${e.trials} trials${e.resumed ? `, resuming with ${e.alreadyDone} done` : ''}`);
        return;
      case 'trial':
        this.#write(`trial ${e.trial.index + 1}/${e.trial.total}: ${e.trial.gestureInfo.label}, repetition ${e.trial.rep + 1}/${e.trial.repetitions}: ${e.trial.prompt}`);
        return;
      case 'phase':
        if (e.phase === 'hold') this.#write(`  hold ${e.seconds.toFixed(1)} s`);
        return;
      case 'quality':
        for (const issue of e.issues) this.#write(`  ! ${issue.advice}`);
        return;
      case 'redo':
        this.#write(`  recording it again (${e.reason})`);
        return;
      case 'gap':
        this.#write(`  ! link gap (${e.info.cause}): ${e.info.missingSamples ?? 'unknown'} samples lost`);
        return;
      case 'recorded':
        // The journal moves to sessions/ once the profile is saved: where it ends up is printed with the result.
        this.#write(`recorded ${e.samples} samples per channel`);
        return;
      case 'training':
        this.#write(`training the head on ${e.windows} windows of ${e.classes} ${e.classNoun}`);
        return;
      case 'link':
        this.#write(e.state === 'reconnecting' ? `  ! the link dropped (${e.reason ?? 'unknown'}): reconnecting` : '  the link is back');
        return;
      case 'redo-answer':
        this.#write(`  ${e.redo ? 'redo' : 'kept'} (answered from the ${e.from})`);
        return;
      case 'tick':
      case 'samples':
      case 'loss':
      case 'result':
        return;
    }
  }
}
