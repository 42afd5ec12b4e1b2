import type { McpServer } from '@modelcontextprotocol/server';
import { registerAccessReviewPrompt } from './access-review.js';
import { registerOffboardUserPrompt } from './offboard-user.js';
import { registerOnboardUsersPrompt } from './onboard-users.js';
import { registerTriageAccessProblemPrompt } from './triage-access-problem.js';

/** Visier's prompts, in the order prompts/list shows them. */
export function registerVisierPrompts(server: McpServer): void {
  registerTriageAccessProblemPrompt(server);
  registerOnboardUsersPrompt(server);
  registerOffboardUserPrompt(server);
  registerAccessReviewPrompt(server);
}
