// A reader that goes away (`| head -3`, a client that quits, a terminal closed) is no failure of ours: its
// EPIPE must neither crash the process with a stack trace nor keep it from exiting.

/** The reader of the stream went away: a write to a closed pipe or socket, or to the stream after that. */
function readerGone(error: NodeJS.ErrnoException): boolean {
  return error.code === 'EPIPE' || error.code === 'ECONNRESET' || error.code === 'ERR_STREAM_DESTROYED';
}

let stdoutGone: (() => void) | undefined;
let gone = false;

/**
 * Makes a closed stdout or stderr quiet for the whole process: what is written to it afterwards is dropped, and
 * a command runs to its end and exits with its own code. Any other write error is thrown, as without this.
 * Call once, before anything is written.
 */
export function tolerateClosedOutput(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (!readerGone(error)) throw error;
    if (gone) return;
    gone = true;
    stdoutGone?.();
  });
  process.stderr.on('error', (error: NodeJS.ErrnoException) => {
    if (!readerGone(error)) throw error;
  });
}

/** What to do, once, when stdout's reader goes away (at once if it already has): a stdio server's client is gone. */
export function onStdoutGone(handler: () => void): void {
  stdoutGone = handler;
  if (gone) handler();
}
