import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A page of another site, with a button its script may give a click handler (say, to open a window). */
export interface AnotherSite {
  /** Its page: `localhost`, another origin (and site) than the server's `127.0.0.1`. */
  url: string;
  close(): Promise<void>;
}

/** Serves another site's page on loopback: what a site that opens the approvals page in a window of its own is. */
export async function startAnotherSite(): Promise<AnotherSite> {
  const server = createServer((_req, res) => {
    res.setHeader('Content-Type', 'text/html');
    res.end('<!doctype html><title>elsewhere</title><button id="go">Play</button>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://localhost:${(server.address() as AddressInfo).port}/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
