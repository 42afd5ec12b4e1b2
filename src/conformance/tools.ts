// Test only: the fixture tools the MCP conformance suite calls (`test_*`), each what its scenario asks for.
// They are ordinary read tools, so they pass the same guard (mode, tenant, audit) as the product's; the server
// adds them only when started with --conformance-fixtures, which is refused outside the sandbox.
import { setTimeout as delay } from 'node:timers/promises';
import type { AnyToolDefinition } from '../contract/tool.js';
import { fixture } from './fixture.js';
import { RED_PIXEL_PNG, SILENT_WAV } from './media.js';

// The pauses the scenarios prescribe between notifications (about 50 ms), so a client sees them arrive apart.
const STEP_MS = 50;

/** Fixtures that answer by themselves: content of each kind, an error, progress, log messages. */
export const CONTENT_TOOLS: AnyToolDefinition[] = [
  fixture('test_simple_text', 'returns one text block.', async () => ({
    text: 'This is a simple text response for testing.',
    structured: {},
  })),
  fixture('test_image_content', 'returns an image.', async () => ({
    text: 'An image follows.',
    structured: {},
    content: [{ type: 'image', data: RED_PIXEL_PNG, mimeType: 'image/png' }],
  })),
  fixture('test_audio_content', 'returns audio.', async () => ({
    text: 'Audio follows.',
    structured: {},
    content: [{ type: 'audio', data: SILENT_WAV, mimeType: 'audio/wav' }],
  })),
  fixture('test_embedded_resource', 'returns an embedded resource.', async () => ({
    text: 'A resource follows.',
    structured: {},
    content: [
      {
        type: 'resource',
        resource: {
          uri: 'test://embedded-resource',
          mimeType: 'text/plain',
          text: 'This is an embedded resource content.',
        },
      },
    ],
  })),
  fixture('test_multiple_content_types', 'returns text, an image and a resource.', async () => ({
    text: 'Multiple content types test:',
    structured: {},
    content: [
      { type: 'image', data: RED_PIXEL_PNG, mimeType: 'image/png' },
      {
        type: 'resource',
        resource: {
          uri: 'test://mixed-content-resource',
          mimeType: 'application/json',
          text: JSON.stringify({ test: 'data', value: 123 }),
        },
      },
    ],
  })),
  fixture('test_error_handling', 'always fails.', async () => {
    throw new Error('This tool intentionally returns an error for testing');
  }),
  fixture('test_tool_with_progress', 'reports progress 0, 50 and 100 of 100.', async (ctx) => {
    for (const done of [0, 50, 100]) {
      if (done > 0) await delay(STEP_MS, undefined, { signal: ctx.signal });
      ctx.progress(done, 100);
    }
    return { text: 'Progress tool completed.', structured: {} };
  }),
  // Two scenarios, two names: one counts the messages, the other checks none is sent unasked.
  ...['test_tool_with_logging', 'test_logging_tool'].map((name) =>
    fixture(name, 'sends three info log messages.', async (ctx) => {
      const lines = ['Tool execution started', 'Tool processing data', 'Tool execution completed'];
      for (const [i, line] of lines.entries()) {
        if (i > 0) await delay(STEP_MS, undefined, { signal: ctx.signal });
        ctx.log('info', line);
      }
      return { text: 'Logging tool completed.', structured: {} };
    }),
  ),
];
