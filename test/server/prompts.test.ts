import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOOLS } from '../../src/tools/visier/index.js';
import { type Harness, startHarness } from './harness.js';

// The four access prompts: their names and arguments are the contract; each guides through the answer tools and
// then the change tools, naming only tools this server has, with its arguments quoted as data.

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ users: 5 });
});
afterAll(() => h.close());

const textOf = async (name: string, args: Record<string, string>) =>
  (await h.client.getPrompt({ name, arguments: args })).messages
    .map((m) => (m.content.type === 'text' ? m.content.text : ''))
    .join('\n');

const TOOL_NAMES = new Set(TOOLS.map((t) => t.name));
/** Every snake_case word of the text that looks like a tool name (two or more parts). */
const toolWords = (text: string) => [...new Set(text.match(/\b[a-z]+(?:_[a-z]+)+\b/g) ?? [])];

describe('prompts', () => {
  it('lists the four access prompts with their arguments, and no other', async () => {
    const { prompts } = await h.client.listPrompts();
    expect(prompts.map((p) => [p.name, (p.arguments ?? []).map((a) => [a.name, a.required ?? false])])).toEqual([
      [
        'triage_access_problem',
        [
          ['user', true],
          ['thing', true],
        ],
      ],
      [
        'onboard_users',
        [
          ['users', true],
          ['modelUser', true],
        ],
      ],
      ['offboard_user', [['user', true]]],
      ['access_review', [['scope', false]]],
    ]);
  });

  it.each([
    ['triage_access_problem', { user: 'Dana', thing: 'Compensation' }, ['explain_user_access', 'list_permissions']],
    ['onboard_users', { users: 'a@x.example, b@x.example', modelUser: 'Dana' }, ['compare_user_access', 'create_user']],
    ['offboard_user', { user: 'Dana' }, ['explain_user_access', 'update_user', 'remove_users_from_group']],
    ['access_review', {}, ['review_access']],
  ])('%s guides through this server’s tools', async (name, args, expected) => {
    const text = await textOf(name, args);
    for (const tool of expected) expect(text).toContain(tool);
    expect(toolWords(text).filter((word) => !TOOL_NAMES.has(word))).toEqual([]);
  });

  it('quotes the arguments as data', async () => {
    expect(await textOf('triage_access_problem', { user: 'Dana', thing: 'the sales dashboard' })).toContain(
      'User: "Dana". Cannot: "the sales dashboard".',
    );
    expect(await textOf('onboard_users', { users: 'a@x.example;\n b@x.example,,', modelUser: 'Dana' })).toContain(
      'Users: ["a@x.example","b@x.example"]. Model user: "Dana".',
    );
    expect(await textOf('access_review', {})).toContain('Scope: the whole tenant.');
    expect(await textOf('access_review', { scope: 'Sales "Analysts"' })).toContain('Scope: "Sales \\"Analysts\\"".');
  });
});
