import { closeSync, constants, fstatSync, openSync, type Stats, statSync, writeSync } from 'node:fs';

/** `stat` of a path, undefined when nothing is there. */
export function statOf(path: string): Stats | undefined {
  try {
    return statSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * A file kept open across appends (an open and a close per call cost more than the write), that follows its
 * path: when the path names another file than the one open (replaced, deleted, recreated), it is reopened,
 * so a line never goes to a file nobody can see any more.
 */
export class FollowedFile {
  private fd: number | undefined;
  private ino: number | undefined;

  constructor(
    private readonly path: string,
    private readonly flags: number,
  ) {}

  /** Opens the file the path names now (creating it) unless it is the one open; `stat` is the path's. */
  open(stat: Stats | undefined = statOf(this.path)): number {
    if (this.fd === undefined || stat?.ino !== this.ino) {
      if (this.fd !== undefined) closeSync(this.fd);
      this.fd = openSync(this.path, this.flags | constants.O_CREAT, 0o644);
      this.ino = fstatSync(this.fd).ino;
    }
    return this.fd;
  }

  /**
   * Writes `text` (at `position`, or appended when the file was opened with O_APPEND); `stat` is the path's
   * as the caller just read it. Returns the inode written to.
   */
  write(text: string, stat: Stats | undefined = statOf(this.path), position?: number): number {
    writeSync(this.open(stat), text, position);
    return this.ino as number;
  }
}
