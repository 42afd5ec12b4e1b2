// The sandbox's record of every request it received, and a way to wait for one: a test that must act while a
// request is in flight (cancel it, shut down around it) waits for its arrival instead of guessing with a timer.
import type { RequestLogEntry } from './handle.js';

interface Watcher {
  match: (entry: RequestLogEntry) => boolean;
  resolve: (entry: RequestLogEntry) => void;
}

export class RequestLog {
  /** Every request received, in order. */
  readonly entries: RequestLogEntry[] = [];
  private watchers: Watcher[] = [];

  add(entry: RequestLogEntry): void {
    this.entries.push(entry);
    const due = this.watchers.filter((w) => w.match(entry));
    this.watchers = this.watchers.filter((w) => !due.includes(w));
    for (const w of due) w.resolve(entry);
  }

  clear(): void {
    this.entries.length = 0;
  }

  /** Resolves with the next request received that matches; requests already received do not count. */
  next(match: (entry: RequestLogEntry) => boolean = () => true): Promise<RequestLogEntry> {
    return new Promise((resolve) => this.watchers.push({ match, resolve }));
  }
}
