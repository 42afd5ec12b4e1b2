/**
 * The one start-up failure a person fixes with a flag, said in one line rather than the socket's stack: what
 * every listener of this CLI (the server's HTTP transport, the sandbox command) reports for EADDRINUSE.
 */
export function portInUse(port: number, host: string): string {
  return `port ${port} on ${host} is in use: pass another --port, or --port 0 for a free one`;
}
