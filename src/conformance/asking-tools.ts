// Test only: the conformance fixtures that ask the client something. Under 2025-11-25 they send the request
// while the call waits (sampling, form elicitation); under 2026-07-28 they answer `input_required` and read the
// answers from the repeated call, with the request state sealed by the SDK's own HMAC codec.

import { randomBytes } from 'node:crypto';
import {
  createRequestStateCodec,
  type ElicitRequestFormParams,
  type InputRequests,
  inputRequired,
  inputResponse,
  ProtocolError,
  ProtocolErrorCode,
} from '@modelcontextprotocol/server';
import { z } from 'zod';
import type { AnyToolDefinition, ClientChannel, ToolContext } from '../contract/tool.js';
import { type FixtureOutput, fixture } from './fixture.js';

const invalidParams = (message: string) => new ProtocolError(ProtocolErrorCode.InvalidParams, message);
const answer = (text: string): FixtureOutput => ({ text, structured: {} });
const ask = (inputRequests: InputRequests, requestState?: string): FixtureOutput => ({
  text: '',
  structured: {},
  inputRequired: { inputRequests, ...(requestState === undefined ? {} : { requestState }) },
});

function channel(ctx: ToolContext): ClientChannel {
  if (ctx.client === undefined) throw new Error('a conformance fixture runs only as a tool call');
  return ctx.client;
}

function asking(ctx: ToolContext): NonNullable<ClientChannel['ask']> {
  const ask = channel(ctx).ask;
  if (ask === undefined) throw invalidParams('this fixture asks while the call waits: 2025-era requests only');
  return ask;
}

// Fixtures serve one process, so a per-process key is enough.
const codec = createRequestStateCodec<{ tool: string; round: number }>({ key: randomBytes(32) });

/** The round a sealed state was minted for; a state that fails the seal is the protocol's invalid params. */
async function roundOf(tool: string, state: string | undefined): Promise<number> {
  if (state === undefined) return 0;
  const payload = await codec.verify(state, undefined as never).catch(() => undefined);
  if (payload === undefined || payload.tool !== tool) throw invalidParams('requestState failed its integrity check');
  return payload.round;
}

const seal = (tool: string, round: number) => codec.mint({ tool, round });

/**
 * The SDK's state seam (`ServerOptions.requestState.verify`): a fixture's state (the codec's `v1.` format) that
 * fails its seal is refused before any handler runs, as the protocol's -32602. Any other state (the guard's
 * confirmations, `<body>.<mac>` in base64url) passes through to the guard, which verifies and audits it.
 */
export async function verifyFixtureState(state: string): Promise<undefined> {
  if (state.startsWith('v1.')) await codec.verify(state, undefined as never);
  return undefined;
}

const nameForm = inputRequired.elicit({
  message: 'What is your name?',
  requestedSchema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
});
const confirmForm = inputRequired.elicit({
  message: 'Please confirm',
  requestedSchema: { type: 'object', properties: { ok: { type: 'boolean' } }, required: ['ok'] },
});
const capitalQuestion = inputRequired.createMessage({
  messages: [{ role: 'user', content: { type: 'text', text: 'What is the capital of France?' } }],
  maxTokens: 100,
});

const elicited = (responses: Record<string, unknown> | undefined, key: string) => {
  const view = inputResponse(responses, key);
  return view.kind === 'elicit' ? view : undefined;
};

const SEP1034_FORM: ElicitRequestFormParams = {
  message: 'Please review your information',
  requestedSchema: {
    type: 'object',
    properties: {
      name: { type: 'string', default: 'John Doe' },
      age: { type: 'integer', default: 30 },
      score: { type: 'number', default: 95.5 },
      status: { type: 'string', enum: ['active', 'inactive', 'pending'], default: 'active' },
      verified: { type: 'boolean', default: true },
    },
  },
};

const SEP1330_FORM: ElicitRequestFormParams = {
  message: 'Choose options',
  requestedSchema: {
    type: 'object',
    properties: {
      untitledSingle: { type: 'string', enum: ['option1', 'option2', 'option3'] },
      titledSingle: {
        type: 'string',
        oneOf: [
          { const: 'value1', title: 'First Option' },
          { const: 'value2', title: 'Second Option' },
          { const: 'value3', title: 'Third Option' },
        ],
      },
      legacyEnum: {
        type: 'string',
        enum: ['opt1', 'opt2', 'opt3'],
        enumNames: ['Option One', 'Option Two', 'Option Three'],
      },
      untitledMulti: { type: 'array', items: { type: 'string', enum: ['option1', 'option2', 'option3'] } },
      titledMulti: {
        type: 'array',
        items: {
          anyOf: [
            { const: 'value1', title: 'First Choice' },
            { const: 'value2', title: 'Second Choice' },
            { const: 'value3', title: 'Third Choice' },
          ],
        },
      },
    },
  },
};

const elicitationOutcome = (result: { action: string; content?: unknown }) =>
  answer(`Elicitation completed: action=${result.action}, content=${JSON.stringify(result.content ?? {})}`);

/** Fixtures of the 2025-11-25 set: requests sent while the call waits. */
const WAITING_TOOLS: AnyToolDefinition[] = [
  fixture(
    'test_sampling',
    'asks the client to sample.',
    async (ctx, args) => {
      const result = await asking(ctx).sample({
        messages: [{ role: 'user', content: { type: 'text', text: String(args.prompt) } }],
        maxTokens: 100,
      });
      const content = (result as { content?: { type?: string; text?: string } }).content;
      return answer(`LLM response: ${content?.type === 'text' ? content.text : JSON.stringify(content)}`);
    },
    { prompt: z.string().describe('The prompt to send to the LLM') },
  ),
  fixture(
    'test_elicitation',
    'asks the client for a username and email.',
    async (ctx, args) => {
      const result = await asking(ctx).elicit({
        message: String(args.message),
        requestedSchema: {
          type: 'object',
          properties: {
            username: { type: 'string', description: "User's response" },
            email: { type: 'string', description: "User's email address" },
          },
          required: ['username', 'email'],
        },
      });
      return answer(`User response: action=${result.action}, content=${JSON.stringify(result.content ?? {})}`);
    },
    { message: z.string().describe('The message to show the user') },
  ),
  fixture('test_elicitation_sep1034_defaults', 'a form with defaults.', async (ctx) =>
    elicitationOutcome(await asking(ctx).elicit(SEP1034_FORM)),
  ),
  fixture('test_elicitation_sep1330_enums', 'a form with every enum kind.', async (ctx) =>
    elicitationOutcome(await asking(ctx).elicit(SEP1330_FORM)),
  ),
];

/** Fixtures of the 2026-07-28 set: `input_required` results and the repeated call. */
const INPUT_REQUIRED_TOOLS: AnyToolDefinition[] = [
  fixture('test_input_required_result_elicitation', 'asks a name by input request.', async (ctx) => {
    const name = elicited(channel(ctx).inputResponses, 'user_name');
    if (name?.action !== 'accept') return ask({ user_name: nameForm });
    return answer(`Hello, ${String(name.content?.name ?? '')}!`);
  }),
  fixture('test_input_required_result_sampling', 'asks for a sample by input request.', async (ctx) => {
    const view = inputResponse(channel(ctx).inputResponses, 'capital_question');
    if (view.kind !== 'sampling') return ask({ capital_question: capitalQuestion });
    const content = view.result.content as { type?: string; text?: string };
    return answer(`Sampling answered: ${content.type === 'text' ? content.text : JSON.stringify(content)}`);
  }),
  fixture('test_input_required_result_list_roots', 'asks for the roots by input request.', async (ctx) => {
    const view = inputResponse(channel(ctx).inputResponses, 'client_roots');
    if (view.kind !== 'roots') return ask({ client_roots: inputRequired.listRoots() });
    return answer(`Roots: ${view.roots.map((root) => root.uri).join(', ') || '(none)'}`);
  }),
  ...['test_input_required_result_request_state', 'test_input_required_result_tampered_state'].map((tool) =>
    fixture(tool, 'asks for a confirmation under a sealed state.', async (ctx) => {
      const { inputResponses, requestState } = channel(ctx);
      const round = await roundOf(tool, requestState);
      if (round === 0 || elicited(inputResponses, 'confirm') === undefined)
        return ask({ confirm: confirmForm }, await seal(tool, 1));
      return answer('Confirmed: state-ok');
    }),
  ),
  fixture('test_input_required_result_multiple_inputs', 'asks three things at once.', async (ctx) => {
    const tool = 'test_input_required_result_multiple_inputs';
    const { inputResponses, requestState } = channel(ctx);
    const round = await roundOf(tool, requestState);
    const keys = ['user_name', 'greeting', 'client_roots'];
    if (round === 0 || keys.some((key) => inputResponse(inputResponses, key).kind === 'missing')) {
      const greeting = inputRequired.createMessage({
        messages: [{ role: 'user', content: { type: 'text', text: 'Generate a greeting' } }],
        maxTokens: 50,
      });
      return ask({ user_name: nameForm, greeting, client_roots: inputRequired.listRoots() }, await seal(tool, 1));
    }
    return answer('All three inputs received.');
  }),
  fixture('test_input_required_result_multi_round', 'asks in two rounds.', async (ctx) => {
    const tool = 'test_input_required_result_multi_round';
    const { inputResponses, requestState } = channel(ctx);
    const round = await roundOf(tool, requestState);
    if (round === 1 && elicited(inputResponses, 'step1') !== undefined) {
      const colour = inputRequired.elicit({
        message: 'Step 2: What is your favorite color?',
        requestedSchema: { type: 'object', properties: { color: { type: 'string' } }, required: ['color'] },
      });
      return ask({ step2: colour }, await seal(tool, 2));
    }
    if (round === 2 && elicited(inputResponses, 'step2') !== undefined) return answer('Both rounds answered.');
    const step1 = inputRequired.elicit({
      message: 'Step 1: What is your name?',
      requestedSchema: { type: 'object', properties: { name: { type: 'string' } }, required: ['name'] },
    });
    return ask({ step1 }, await seal(tool, 1));
  }),
  fixture('test_input_required_result_capabilities', 'asks only what the client can answer.', async (ctx) => {
    const { capabilities, inputResponses } = channel(ctx);
    if (inputResponses !== undefined) return answer('Inputs received.');
    const requests: InputRequests = {};
    if (capabilities?.elicitation) requests.user_name = nameForm;
    if (capabilities?.sampling) requests.capital_question = capitalQuestion;
    if (capabilities?.roots) requests.client_roots = inputRequired.listRoots();
    return ask(requests);
  }),
  // Always asks for a sample: the SDK refuses an input request the client cannot answer (-32021).
  fixture('test_missing_capability', 'asks for a sample, which a client without sampling cannot give.', async () =>
    ask({ capital_question: capitalQuestion }),
  ),
  fixture('test_streaming_elicitation', 'asks by input request, never by a request of its own.', async (ctx) => {
    const name = elicited(channel(ctx).inputResponses, 'user_name');
    return name === undefined ? ask({ user_name: nameForm }) : answer('Answered.');
  }),
];

export const ASKING_TOOLS: AnyToolDefinition[] = [...WAITING_TOOLS, ...INPUT_REQUIRED_TOOLS];
