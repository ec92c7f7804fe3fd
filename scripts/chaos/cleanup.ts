import type { ChildProcess } from 'node:child_process';

/**
 * Everything the suite starts, to be stopped at the end, also after an error or a Ctrl-C: child
 * processes (killed by their own pid, never by name) and async stoppers (in-process runtimes, servers,
 * temporary directories), run last-in first-out.
 */
export class CleanupRegistry {
  private readonly children = new Set<ChildProcess>();
  private readonly stoppers: { name: string; stop: () => Promise<void> | void }[] = [];

  track(child: ChildProcess): ChildProcess {
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    return child;
  }

  add(name: string, stop: () => Promise<void> | void): () => Promise<void> {
    const entry = { name, stop };
    this.stoppers.push(entry);
    return async () => {
      const i = this.stoppers.indexOf(entry);
      if (i < 0) return;
      this.stoppers.splice(i, 1);
      await entry.stop();
    };
  }

  /** SIGKILLs every child still alive (synchronous: usable from an 'exit' handler). */
  killChildren(): void {
    for (const child of this.children) {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }

  /** SIGKILLs every child still alive and waits until each has exited (its files and locks released). */
  async killChildrenAndWait(): Promise<void> {
    const alive = [...this.children].filter((c) => c.exitCode === null && c.signalCode === null);
    const exits = alive.map((c) => new Promise((resolve) => c.once('exit', resolve)));
    for (const child of alive) child.kill('SIGKILL');
    await Promise.all(exits);
  }

  async runAll(): Promise<string[]> {
    const problems: string[] = [];
    await this.killChildrenAndWait();
    while (this.stoppers.length > 0) {
      const entry = this.stoppers.pop()!;
      try {
        await entry.stop();
      } catch (error) {
        problems.push(`${entry.name}: ${(error as Error).message}`);
      }
    }
    return problems;
  }
}
