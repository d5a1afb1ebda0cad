/**
 * The host side of the engine protocol: starts an engine process, sends typed requests, validates every
 * message that comes back, and turns a crash into an error that names the job that was running.
 *
 * Runtime: main-side Node (Electron main, the web host, the CLI). The process itself is abstracted as an
 * `EngineProcess` so that electron/main can supply a utilityProcess and everything else a Node child.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { EngineMessage, ReplySchemas, type EngineError, type HostMessage, type ReplyValues } from '../../../inference/protocol';

/** What a host needs of a process: Node's ChildProcess and Electron's UtilityProcess both fit. */
export interface EngineProcess {
  send(message: HostMessage): void;
  onMessage(listener: (message: unknown) => void): void;
  onExit(listener: (code: number | null, signal: string | null) => void): void;
  kill(): void;
  readonly pid: number | undefined;
}

export class EngineCallError extends Error {
  override readonly name = 'EngineCallError';
  constructor(readonly error: EngineError) {
    super(error.message);
  }
  get code(): EngineError['code'] {
    return this.error.code;
  }
}

export interface ProgressMessage {
  readonly step: number;
  readonly totalSteps: number;
  readonly previews?: readonly { readonly width: number; readonly height: number; readonly rgb: Uint8Array }[];
}

type Pending = {
  readonly type: keyof ReplyValues;
  resolve(value: unknown): void;
  reject(error: EngineCallError): void;
  readonly onProgress?: (p: ProgressMessage) => void;
};

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
export type Request = DistributiveOmit<HostMessage, 'id'>;

const ENGINE_ENTRY = fileURLToPath(new URL('../../../inference/engine-process.ts', import.meta.url));

/** A Node child process running the engine, with the TypeScript loader and structured-clone IPC. */
export function forkEngine(env: NodeJS.ProcessEnv = process.env): EngineProcess {
  const child = fork(ENGINE_ENTRY, [], {
    execArgv: ['--import', import.meta.resolve('tsx')],
    serialization: 'advanced',
    env,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return {
    send: (m) => child.send(m),
    onMessage: (l) => child.on('message', l),
    onExit: (l) => child.on('exit', (code, signal) => l(code, signal)),
    kill: () => child.kill('SIGKILL'),
    get pid() {
      return child.pid;
    },
  };
}

export type HostLog = (level: 'info' | 'warn' | 'error', message: string) => void;

export class EngineHost {
  private readonly pending = new Map<string, Pending>();
  private nextId = 1;
  private exited: EngineError | null = null;
  readonly ready: Promise<void>;

  constructor(
    private readonly process: EngineProcess,
    private readonly log: HostLog = () => undefined,
  ) {
    let markReady: () => void = () => undefined;
    let failReady: (e: EngineCallError) => void = () => undefined;
    this.ready = new Promise((resolve, reject) => {
      markReady = resolve;
      failReady = reject;
    });
    process.onMessage((raw) => {
      const parsed = EngineMessage.safeParse(raw);
      if (!parsed.success) {
        this.log('error', `engine sent an invalid message: ${parsed.error.message}`);
        return;
      }
      const message = parsed.data;
      switch (message.type) {
        case 'ready':
          markReady();
          return;
        case 'log':
          this.log(message.level, message.message);
          return;
        case 'rejected':
          this.log('error', `engine rejected a message: ${message.error.message}`);
          return;
        case 'progress':
          this.pending.get(message.id)?.onProgress?.(message);
          return;
        case 'reply':
        case 'failed':
          this.settle(message);
          return;
      }
    });
    process.onExit((code, signal) => {
      const running = [...this.pending.entries()].filter(([, p]) => p.type === 'generate').map(([id]) => id);
      const error: EngineError = {
        code: 'ENGINE_CRASHED',
        message: `the engine stopped (${signal ?? `exit code ${code}`})${running.length ? ` while running job ${running.join(', ')}` : ''}`,
        details: { code, signal, jobs: running },
      };
      this.exited = error;
      failReady(new EngineCallError(error));
      for (const p of this.pending.values()) p.reject(new EngineCallError(error));
      this.pending.clear();
    });
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  private settle(message: Extract<EngineMessage, { type: 'reply' | 'failed' }>): void {
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    if (message.type === 'failed') {
      pending.reject(new EngineCallError(message.error));
      return;
    }
    const checked = ReplySchemas[pending.type].safeParse(message.value);
    if (checked.success) pending.resolve(checked.data);
    else pending.reject(new EngineCallError({ code: 'BAD_MESSAGE', message: `engine reply to ${pending.type} is malformed: ${checked.error.message}` }));
  }

  /** Sends a request; resolves with its validated reply. `id` names the job, for cancel. */
  call<T extends Request>(request: T, options: { readonly id?: string; readonly onProgress?: (p: ProgressMessage) => void } = {}): Promise<ReplyValues[T['type']]> {
    if (this.exited) return Promise.reject(new EngineCallError(this.exited));
    const id = options.id ?? `r${this.nextId++}`;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { type: request.type, resolve: resolve as (v: unknown) => void, reject, ...(options.onProgress ? { onProgress: options.onProgress } : {}) });
      this.process.send({ ...request, id } as HostMessage);
    });
  }

  /** Sends anything at all: for tests of the engine's own validation. */
  sendRaw(message: unknown): void {
    this.process.send(message as HostMessage);
  }

  cancel(job: string): Promise<ReplyValues['cancel']> {
    return this.call({ type: 'cancel', job });
  }

  /**
   * Stops the process now, without waiting for a reply: for shutdown while a job runs (the job is re-queued
   * and runs again later) and for an engine that stopped answering. Pending calls reject with ENGINE_CRASHED.
   */
  kill(): void {
    if (!this.exited) this.process.kill();
  }

  /** Releases the models and stops the process. */
  async stop(): Promise<void> {
    if (this.exited) return;
    try {
      await this.call({ type: 'unload' });
    } finally {
      this.process.kill();
    }
  }
}
