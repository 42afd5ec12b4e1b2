// Baseline for the HTTP concurrency figure: a bare stateful SDK Streamable HTTP server on node:http
// serving one trivial tool, with none of our hardening, guards or Visier calls.
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { NodeStreamableHTTPServerTransport } from '@modelcontextprotocol/node';
import { McpServer } from '@modelcontextprotocol/server';
import { z } from 'zod';

export interface BareHttpServer {
  url: string;
  sessions: () => number;
  close: () => Promise<void>;
}

export async function startBareHttpServer(): Promise<BareHttpServer> {
  const transports = new Map<string, NodeStreamableHTTPServerTransport>();
  const http: Server = createServer(async (req, res) => {
    const sessionId = req.headers['mcp-session-id'];
    let transport = typeof sessionId === 'string' ? transports.get(sessionId) : undefined;
    if (!transport) {
      const created = new NodeStreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (id) => {
          transports.set(id, created);
        },
        onsessionclosed: (id) => {
          transports.delete(id);
        },
      });
      const server = new McpServer({ name: 'bare-http', version: '0.0.0' });
      server.registerTool(
        'get_user',
        { description: 'Echo', inputSchema: z.object({ userId: z.string() }) },
        async ({ userId }) => ({
          content: [{ type: 'text', text: userId }],
        }),
      );
      await server.connect(created);
      transport = created;
    }
    await transport.handleRequest(req, res);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const address = http.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    sessions: () => transports.size,
    close: async () => {
      await Promise.all([...transports.values()].map((t) => t.close()));
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
