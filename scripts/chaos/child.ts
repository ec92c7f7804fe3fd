import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { AdvisorError } from '../../shared/util/errors.js';
import type { CleanupRegistry } from './cleanup.js';

/** The repository root (scripts/chaos/ is two levels down). */
export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

export class ChildTimeoutError extends AdvisorError {
  constructor(what: string, timeoutMs: number, lastLines: string[]) {
    super('CHAOS_CHILD_TIMEOUT', `${what} not seen within ${timeoutMs} ms; last output: ${lastLines.join(' | ') || '(none)'}`, { what, timeoutMs, lastLines });
  }
}

export class ChildExitedError extends AdvisorError {
  constructor(what: string, code: number | null, signal: string | null, lastLines: string[]) {
    super('CHAOS_CHILD_EXITED', `runtime exited (code ${code}, signal ${signal}) before ${what}; last output: ${lastLines.join(' | ') || '(none)'}`, { what, code, signal, lastLines });
  }
}

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A local runtime (`local/main.ts`) in a child process, with its output kept line by line. */
export class RuntimeProcess {
  readonly lines: string[] = [];
  readonly exited: Promise<ExitStatus>;
  private status: ExitStatus | null = null;
  private readonly waiters = new Set<() => void>();

  constructor(readonly child: ChildProcess) {
    const collect = (stream: NodeJS.ReadableStream | null) => {
      let partial = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        const parts = (partial + chunk).split('\n');
        partial = parts.pop() ?? '';
        for (const line of parts) this.lines.push(line);
        this.wake();
      });
    };
    collect(child.stdout);
    collect(child.stderr);
    this.exited = new Promise((resolve) => {
      child.once('exit', (code, signal) => {
        this.status = { code, signal };
        this.wake();
        resolve(this.status);
      });
    });
  }

  get alive(): boolean {
    return this.status === null;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  tail(n = 4): string[] {
    return this.lines.slice(-n).map((l) => l.trim().slice(0, 160));
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }

  /**
   * The first line at or after `fromLine` matching `pattern`: its index. Rejects when the process exits
   * first or after `timeoutMs`.
   */
  waitForLine(pattern: RegExp, fromLine: number, timeoutMs: number): Promise<number> {
    return new Promise((resolve, reject) => {
      const check = () => {
        for (let i = fromLine; i < this.lines.length; i++) {
          if (pattern.test(this.lines[i]!)) return done(() => resolve(i));
        }
        if (this.status) return done(() => reject(new ChildExitedError(`a line matching ${pattern}`, this.status!.code, this.status!.signal, this.tail())));
      };
      const timer = setTimeout(() => done(() => reject(new ChildTimeoutError(`a line matching ${pattern}`, timeoutMs, this.tail()))), timeoutMs);
      const done = (settle: () => void) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        settle();
      };
      this.waiters.add(check);
      check();
    });
  }

  signal(signal: NodeJS.Signals): void {
    if (this.alive) this.child.kill(signal);
  }

  /** Waits for the exit; after `timeoutMs` SIGKILLs it and says so. */
  async waitExit(timeoutMs: number): Promise<ExitStatus & { forced: boolean }> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), timeoutMs)));
    const status = await Promise.race([this.exited, timedOut]);
    clearTimeout(timer);
    if (status) return { ...status, forced: false };
    this.signal('SIGKILL');
    return { ...(await this.exited), forced: true };
  }
}

export interface SpawnOptions {
  dataDir: string;
  port: number;
  once?: boolean;
  /** Extra environment (e.g. ADVISOR_RATE_LIMIT_RPS=0 for the fuzz). */
  env?: Record<string, string>;
}

/** Spawns `node --import tsx local/main.ts --source sim ...` (node itself: a signal reaches the runtime, not a wrapper). */
export function spawnRuntime(options: SpawnOptions, registry: CleanupRegistry): RuntimeProcess {
  const args = ['--import', 'tsx', 'local/main.ts', '--data-dir', options.dataDir, '--port', String(options.port), '--source', 'sim'];
  if (options.once) args.push('--once');
  const child = spawn(process.execPath, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  registry.track(child);
  return new RuntimeProcess(child);
}

/** A port free on 127.0.0.1 right now (the runtime then binds it; a lost race shows as a start error). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls GET /v1/health until it answers 200 (or the process exits, or the time is up). */
export async function waitForHealth(baseUrl: string, proc: RuntimeProcess | null, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc && !proc.alive) throw new ChildExitedError('answering /v1/health', (await proc.exited).code, (await proc.exited).signal, proc.tail());
    try {
      const response = await fetch(`${baseUrl}/v1/health`, { signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      if (response.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new ChildTimeoutError('a 200 from /v1/health', timeoutMs, proc?.tail() ?? []);
    await sleep(100);
  }
}
