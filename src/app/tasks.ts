// Organization-wide work a webhook starts that is no single pull request's check: compiling pushed
// policies, listing open pull requests to re-run, an impact preview. Without Redis it runs in this
// process after the handler has answered GitHub (which waits 10 s at most), a few tasks at a time;
// with it, the same work is a durable queue job (`OrgTaskPayload`).
export class BackgroundTasks {
  private readonly waiting: (() => Promise<void>)[] = [];
  private running = 0;
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly onError: (name: string, error: unknown) => void,
    private readonly concurrency = 2,
  ) {}

  run(name: string, work: () => Promise<void>): void {
    this.waiting.push(() => work().catch((error: unknown) => this.onError(name, error)));
    this.pump();
  }

  /** Tasks queued or running, for what a shutdown leaves behind. */
  get pending(): number {
    return this.running + this.waiting.length;
  }

  /**
   * Waits until no task is queued or running, or `timeoutMs` has passed; resolves with how many
   * were still pending then (0 when idle), so a shutdown can say what it abandons.
   */
  async settle(timeoutMs: number): Promise<number> {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
    });
    await Promise.race([this.whenIdle(), deadline]);
    clearTimeout(timer);
    return this.pending;
  }

  /** Resolves once no task is queued or running. */
  whenIdle(): Promise<void> {
    return new Promise((resolve) => {
      this.idleWaiters.push(resolve);
      this.resolveIfIdle();
    });
  }

  private pump(): void {
    while (this.running < this.concurrency) {
      const task = this.waiting.shift();
      if (!task) break;
      this.running++;
      void task().finally(() => {
        this.running--;
        this.pump();
      });
    }
    this.resolveIfIdle();
  }

  private resolveIfIdle(): void {
    if (this.running > 0 || this.waiting.length > 0) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
