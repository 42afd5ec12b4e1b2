// A loopback HTTP proxy between the client and the sandbox that records exactly what the client sent
// (headers and body included), so tests can assert on the wire without reaching into the client.
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';

export interface RecordedRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: string;
  /** What the sandbox answered, as text; empty until it has. */
  responseBody: string;
}

export interface RecordingProxy {
  url: string;
  recorded: RecordedRequest[];
  close(): Promise<void>;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'host', 'content-length']);

export async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const recorded: RecordedRequest[] = [];
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://proxy');
    const entry: RecordedRequest = {
      method: req.method ?? '',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      body,
      responseBody: '',
    };
    recorded.push(entry);
    const headers = Object.fromEntries(
      Object.entries(req.headers).filter(([k, v]) => !HOP_BY_HOP.has(k) && v !== undefined),
    ) as Record<string, string | string[]>;
    try {
      const upstream = await request(`${target}${req.url}`, {
        method: req.method as 'GET',
        headers,
        body: chunks.length > 0 ? body : undefined,
      });
      const out = Buffer.from(await upstream.body.arrayBuffer());
      entry.responseBody = out.toString('utf8');
      const responseHeaders = Object.fromEntries(
        Object.entries(upstream.headers).filter(([k, v]) => !HOP_BY_HOP.has(k) && v !== undefined),
      ) as Record<string, string | string[]>;
      res.writeHead(upstream.statusCode, responseHeaders);
      res.end(out);
    } catch {
      // The sandbox dropped the connection (a `drop` fault): pass that on to the client.
      res.destroy();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    recorded,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
