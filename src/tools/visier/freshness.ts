import type { DirectorySnapshot } from '../../providers/visier/directory.js';

// How fresh an answer read from a directory snapshot is: every such answer says so, since a snapshot is reused for
// up to --directory-ttl-seconds and a change made outside this server shows only after the next fill.

export interface Freshness {
  /** When the snapshot's fill began, ISO-8601 UTC: nothing in it is older. */
  asOf: string;
  /** `as of 2 min ago`, for the answer's text. */
  text: string;
}

export function freshness(snapshot: Pick<DirectorySnapshot, 'asOf'>, now: number = Date.now()): Freshness {
  const seconds = Math.max(0, Math.round((now - snapshot.asOf) / 1000));
  const ago =
    seconds < 60
      ? `${seconds} s`
      : seconds < 3600
        ? `${Math.floor(seconds / 60)} min`
        : `${Math.floor(seconds / 3600)} h`;
  return { asOf: new Date(snapshot.asOf).toISOString(), text: `as of ${ago} ago` };
}
