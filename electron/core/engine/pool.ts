/**
 * The engine pool: one engine process per device, each running one generation at a time. A job goes to a free
 * engine that already has its model loaded, else to the free engine that has run the fewest jobs. A crashed
 * engine is replaced by a fresh process on the same device. Runtime: main-side Node.
 */
import type { Provider } from '../../../inference/protocol';
import { EngineHost, forkEngine, type EngineProcess, type HostLog } from './host';

/** A device an engine runs on. Here one CPU engine; a machine with GPUs gets one per GPU. */
export interface EngineDevice {
  readonly name: string;
  /** The environment the engine process starts with (e.g. CUDA_VISIBLE_DEVICES to pin a GPU). */
  readonly env?: NodeJS.ProcessEnv;
}

/** Starts an engine process for a device: `forkEngine` by default, a utilityProcess in Electron, a wrapper around a real engine in tests. */
export type EngineFactory = (device: EngineDevice) => EngineProcess;

export interface EngineSlot {
  readonly device: EngineDevice;
  host: EngineHost;
  busy: boolean;
  /** Models this engine has loaded (the engine caches them). */
  readonly models: Set<string>;
  jobsRun: number;
}

export const defaultEngineFactory: EngineFactory = (device) => forkEngine({ ...process.env, ...device.env });

export class EnginePool {
  private readonly slots: EngineSlot[];
  private providers: readonly Provider[] | undefined;

  constructor(
    devices: readonly EngineDevice[],
    private readonly factory: EngineFactory = defaultEngineFactory,
    private readonly log: HostLog = () => undefined,
  ) {
    if (devices.length === 0) throw new Error('the engine pool needs at least one device');
    this.slots = devices.map((device) => ({ device, host: this.spawn(device), busy: false, models: new Set(), jobsRun: 0 }));
  }

  private spawn(device: EngineDevice): EngineHost {
    return new EngineHost(this.factory(device), (level, message) => this.log(level, `engine ${device.name}: ${message}`));
  }

  /** Resolves when every engine has started; rejects with the first that could not. */
  async ready(): Promise<void> {
    await Promise.all(this.slots.map((s) => s.host.ready));
  }

  /** Providers to load models with, in order of preference; undefined: the engine's own choice for this platform. */
  setProviders(providers: readonly Provider[] | undefined): void {
    this.providers = providers;
  }

  get loadProviders(): readonly Provider[] | undefined {
    return this.providers;
  }

  hasFree(): boolean {
    return this.slots.some((s) => !s.busy);
  }

  /** Takes a free engine for a job on `model`; undefined when all are busy. */
  acquire(model: string): EngineSlot | undefined {
    const free = this.slots.filter((s) => !s.busy);
    const best = free.sort((a, b) => Number(b.models.has(model)) - Number(a.models.has(model)) || a.jobsRun - b.jobsRun)[0];
    if (best === undefined) return undefined;
    best.busy = true;
    best.jobsRun++;
    return best;
  }

  release(slot: EngineSlot): void {
    slot.busy = false;
  }

  /** The engine for short calls (inspect, tokenize): a free one if any, so the live token count never waits on a job. */
  anyEngine(): EngineHost {
    const slot = this.slots.find((s) => !s.busy) ?? this.slots[0];
    if (slot === undefined) throw new Error('the engine pool has no engines');
    return slot.host;
  }

  /** Replaces a crashed engine with a fresh process on the same device; resolves when it is ready. */
  async restart(slot: EngineSlot): Promise<void> {
    slot.host.kill();
    slot.models.clear();
    slot.host = this.spawn(slot.device);
    await slot.host.ready;
  }

  /** Idle engines release their models and stop; busy ones are stopped at once (their jobs are re-queued). */
  async stop(): Promise<void> {
    await Promise.all(
      this.slots.map(async (slot) => {
        if (slot.busy) slot.host.kill();
        else await slot.host.stop().catch(() => slot.host.kill());
      }),
    );
  }
}
