// Test only: the fixture resources and prompts the MCP conformance suite reads (`test://…`, `test_*`), each
// what its scenario asks for. Registered on the product's server only with --conformance-fixtures.
import {
  completable,
  inputRequired,
  inputResponse,
  type McpServer,
  ResourceTemplate,
} from '@modelcontextprotocol/server';
import { z } from 'zod';
import { RED_PIXEL_PNG } from './media.js';

const ARG1_SUGGESTIONS = ['paris', 'park', 'party'];

export function registerConformanceResourcesAndPrompts(server: McpServer): void {
  // Subscriptions are kept only as the suite asks (accepted, remembered, dropped): no fixture ever changes.
  const watched = new Set<string>();
  server.server.registerCapabilities({ resources: { subscribe: true } });
  server.server.setRequestHandler('resources/subscribe', (request) => {
    watched.add(request.params.uri);
    return {};
  });
  server.server.setRequestHandler('resources/unsubscribe', (request) => {
    watched.delete(request.params.uri);
    return {};
  });

  server.registerResource(
    'test_static_text',
    'test://static-text',
    { description: 'Conformance fixture: static text', mimeType: 'text/plain' },
    async (uri) => ({
      contents: [{ uri: uri.href, mimeType: 'text/plain', text: 'This is the content of the static text resource.' }],
    }),
  );
  server.registerResource(
    'test_static_binary',
    'test://static-binary',
    { description: 'Conformance fixture: a PNG', mimeType: 'image/png' },
    async (uri) => ({ contents: [{ uri: uri.href, mimeType: 'image/png', blob: RED_PIXEL_PNG }] }),
  );
  server.registerResource(
    'test_template',
    new ResourceTemplate('test://template/{id}/data', { list: undefined }),
    { description: 'Conformance fixture: a template', mimeType: 'application/json' },
    async (uri, { id }) => ({
      contents: [
        {
          uri: uri.href,
          mimeType: 'application/json',
          text: JSON.stringify({ id, templateTest: true, data: `Data for ID: ${id}` }),
        },
      ],
    }),
  );

  server.registerPrompt('test_simple_prompt', { description: 'Conformance fixture: no arguments' }, () => ({
    messages: [{ role: 'user', content: { type: 'text', text: 'This is a simple prompt for testing.' } }],
  }));
  server.registerPrompt(
    'test_prompt_with_arguments',
    {
      description: 'Conformance fixture: two arguments',
      argsSchema: z.object({
        arg1: completable(z.string().describe('First test argument'), (value) =>
          ARG1_SUGGESTIONS.filter((s) => s.startsWith(value)),
        ),
        arg2: z.string().describe('Second test argument'),
      }),
    },
    ({ arg1, arg2 }) => ({
      messages: [
        { role: 'user', content: { type: 'text', text: `Prompt with arguments: arg1='${arg1}', arg2='${arg2}'` } },
      ],
    }),
  );
  server.registerPrompt(
    'test_prompt_with_embedded_resource',
    {
      description: 'Conformance fixture: embeds a resource',
      argsSchema: z.object({ resourceUri: z.string().describe('URI of the resource to embed') }),
    },
    ({ resourceUri }) => ({
      messages: [
        {
          role: 'user',
          content: {
            type: 'resource',
            resource: { uri: resourceUri, mimeType: 'text/plain', text: 'Embedded resource content for testing.' },
          },
        },
        { role: 'user', content: { type: 'text', text: 'Please process the embedded resource above.' } },
      ],
    }),
  );
  server.registerPrompt(
    'test_input_required_result_prompt',
    { description: 'Conformance fixture: asks for context by input request (2026-07-28)' },
    (extra) => {
      const context = inputResponse(extra.mcpReq.inputResponses, 'user_context');
      if (context.kind !== 'elicit' || context.action !== 'accept')
        return inputRequired({
          inputRequests: {
            user_context: inputRequired.elicit({
              message: 'What context should the prompt use?',
              requestedSchema: { type: 'object', properties: { context: { type: 'string' } }, required: ['context'] },
            }),
          },
        });
      const text = `Use this context: ${String(context.content?.context ?? '')}`;
      return { messages: [{ role: 'user', content: { type: 'text', text } }] };
    },
  );
  server.registerPrompt('test_prompt_with_image', { description: 'Conformance fixture: an image' }, () => ({
    messages: [
      { role: 'user', content: { type: 'image', data: RED_PIXEL_PNG, mimeType: 'image/png' } },
      { role: 'user', content: { type: 'text', text: 'Please analyze the image above.' } },
    ],
  }));
}
