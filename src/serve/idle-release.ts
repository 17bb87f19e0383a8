/**
 * Releases memory once the service falls quiet: `release` runs when no request has been in
 * flight for `delayMs` after some work, once per quiet spell, so a burst of load does not leave
 * the process at its peak size (see util/release-memory.ts) and a steady stream of requests
 * never pays for it.
 */
export class IdleRelease {
  private active = 0;
  private timer: NodeJS.Timeout | null = null;
  /** Times memory was released. */
  releases = 0;

  constructor(
    private readonly delayMs: number,
    private readonly release: () => void,
  ) {}

  begin(): void {
    this.active++;
    this.cancel();
  }

  end(): void {
    this.active = Math.max(0, this.active - 1);
    if (this.active > 0 || !(this.delayMs > 0)) return;
    this.cancel();
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.active > 0) return;
      this.release();
      this.releases++;
    }, this.delayMs);
    // A pending release must not keep a stopping process alive.
    this.timer.unref();
  }

  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }
}
