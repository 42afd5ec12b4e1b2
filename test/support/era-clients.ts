// A client of each MCP era, as real clients are built: the v1 SDK (protocol 2025-11-25, elicitation pushed while
// the call waits) and the v2 SDK pinned to 2026-07-28 (the question comes back as an input_required result,
// which the SDK client answers through the same elicitation handler and repeats the call).
import { Client as ModernClient } from '@modelcontextprotocol/client';
import { Client as LegacyClient } from '@modelcontextprotocol/sdk/client/index.js';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';

export type Era = '2025-11-25' | '2026-07-28';

export interface Asked {
  message: string;
  requestedSchema: unknown;
}

export type Answer = (asked: Asked) => {
  action: 'accept' | 'decline' | 'cancel';
  content?: Record<string, string | number | boolean | string[]>;
};

export interface EraClient {
  era: Era;
  /** What the server said it speaks after connecting. */
  negotiated(): string | undefined;
  callTool(name: string, args: Record<string, unknown>): Promise<Record<string, unknown>>;
  listToolNames(): Promise<string[]>;
  close(): Promise<void>;
}

type AnyTransport = Parameters<LegacyClient['connect']>[0] & Parameters<ModernClient['connect']>[0];

/** A v1 SDK client on 2025-11-25 that declares form elicitation and answers with `answer`. */
export async function legacyClient(transport: unknown, answer: Answer, asked: Asked[]): Promise<EraClient> {
  const client = new LegacyClient(
    { name: 'era-v1', version: '1.32.2' },
    { capabilities: { elicitation: { form: {} } } },
  );
  client.setRequestHandler(ElicitRequestSchema, async (request) => {
    const question = request.params as Asked;
    asked.push(question);
    return answer(question);
  });
  // The v1 client has no getter for the version it negotiated; it hands it to the transport, so we listen there.
  let negotiated: string | undefined;
  const spied = transport as { setProtocolVersion?: (version: string) => void };
  const handOn = spied.setProtocolVersion?.bind(spied);
  spied.setProtocolVersion = (version) => {
    negotiated = version;
    handOn?.(version);
  };
  await client.connect(transport as AnyTransport);
  return {
    era: '2025-11-25',
    negotiated: () => negotiated,
    callTool: async (name, args) => (await client.callTool({ name, arguments: args })) as Record<string, unknown>,
    listToolNames: async () => (await client.listTools()).tools.map((t) => t.name),
    close: () => client.close(),
  };
}

/** A v2 SDK client pinned to 2026-07-28 that declares form elicitation and answers with `answer`. */
export async function modernClient(transport: unknown, answer: Answer, asked: Asked[]): Promise<EraClient> {
  const client = new ModernClient(
    { name: 'era-v2', version: '2.4.0' },
    { capabilities: { elicitation: { form: {} } }, versionNegotiation: { mode: { pin: '2026-07-28' } } },
  );
  client.setRequestHandler('elicitation/create', async (request) => {
    const question = request.params as Asked;
    asked.push(question);
    return answer(question);
  });
  await client.connect(transport as AnyTransport);
  return {
    era: '2026-07-28',
    negotiated: () => client.getNegotiatedProtocolVersion(),
    callTool: async (name, args) => (await client.callTool({ name, arguments: args })) as Record<string, unknown>,
    listToolNames: async () => (await client.listTools()).tools.map((t) => t.name),
    close: () => client.close(),
  };
}
