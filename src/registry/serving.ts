// What the MCP server needs of one system: its provider description (tools, words, routing), its resources and
// its prompts. Start-up (clients, credentials, the embedded sandbox) is in `./index.ts`, which the server never
// loads.
import type { McpServer } from '@modelcontextprotocol/server';
import type { Provider } from '../contract/provider.js';
import { registerVisierPrompts } from '../prompts/visier.js';
import type { ProviderResources } from '../resources/index.js';
import { sisenseResources } from '../resources/sisense.js';
import { visierResources } from '../resources/visier.js';
import { sisenseProvider } from '../tools/sisense/provider.js';
import { visierProvider } from '../tools/visier/provider.js';

// biome-ignore lint/suspicious/noExplicitAny: one entry per provider, each with its own client and routing types
export interface ProviderServing<Api = any, Call = any> {
  provider: Provider<Call>;
  resources: ProviderResources<Api, Call>;
  prompts?: (server: McpServer) => void;
}

export const VISIER_SERVING: ProviderServing = {
  provider: visierProvider,
  resources: visierResources,
  prompts: registerVisierPrompts,
};

export const SISENSE_SERVING: ProviderServing = { provider: sisenseProvider, resources: sisenseResources };
