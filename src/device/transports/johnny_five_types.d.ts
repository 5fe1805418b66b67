// The parts of johnny-five (2.1), firmata (2.3) and mock-firmata (0.2) that
// headstart uses; none of them ships type declarations.

declare module 'johnny-five' {
  import type { EventEmitter } from 'node:events';

  /** An IO plugin (Firmata, mock-firmata, raspi-io...): johnny-five's hardware contract. */
  export interface IOPlugin extends EventEmitter {
    name: string;
    isReady: boolean;
    pins: Array<{ supportedModes: number[]; analogChannel: number }>;
    analogPins: number[];
    MODES: Record<string, number>;
    pinMode(pin: number, mode: number): void;
    analogRead(pin: number, callback: (value: number) => void): void;
    setSamplingInterval(ms: number): void;
    reportAnalogPin(pin: number, value: 0 | 1): void;
    digitalWrite(pin: number, value: number): void;
    analogWrite(pin: number, value: number): void;
    servoWrite(pin: number, value: number): void;
  }

  export interface BoardOptions {
    io?: IOPlugin;
    port?: string;
    repl?: boolean;
    debug?: boolean;
    sigint?: boolean;
    timeout?: number;
  }

  export class Board extends EventEmitter {
    constructor(options?: BoardOptions);
    readonly io: IOPlugin;
    readonly isReady: boolean;
  }

  export class Led {
    constructor(options: { pin: number | string; board?: Board });
    on(): this;
    off(): this;
    brightness(value: number): this;
    stop(): this;
  }

  export class Servo {
    constructor(options: { pin: number | string; board?: Board; range?: [number, number]; startAt?: number });
    to(degrees: number): this;
    stop(): this;
  }

  export class Motor {
    constructor(options: { pin: number | string; board?: Board });
    start(speed?: number): this;
    stop(): this;
  }

  const five: { Board: typeof Board; Led: typeof Led; Servo: typeof Servo; Motor: typeof Motor };
  export default five;
}

declare module 'firmata' {
  import type { IOPlugin } from 'johnny-five';
  /** With an object, Firmata uses it as its byte transport (an opened or opening serialport). */
  const Firmata: new (transport: object, options?: Record<string, unknown>) => IOPlugin;
  export default Firmata;
}

declare module 'mock-firmata' {
  import type { IOPlugin } from 'johnny-five';
  const mock: { Firmata: new (options?: Record<string, unknown>) => IOPlugin };
  export default mock;
}
