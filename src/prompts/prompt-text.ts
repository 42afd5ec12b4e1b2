import type { GetPromptResult } from '@modelcontextprotocol/server';
import { sanitizeUntrusted } from '../guards/untrusted.js';

// What the prompts share: their arguments are often pasted from directory text, so each reaches the model
// sanitised like any directory string and quoted as data; and each prompt is one user message of numbered steps.

/** An argument as quoted data: hidden characters and line breaks removed, then JSON-quoted. */
export const quotedArgument = (value: string): string => JSON.stringify(sanitizeUntrusted(value));

/** A list typed into one argument (one per line, or separated by commas or semicolons), each item as data. */
export function listArgument(value: string): string[] {
  return value
    .split(/[\n\r,;]+/)
    .map((item) => sanitizeUntrusted(item).trim())
    .filter((item) => item !== '');
}

/** One user message: the task, then its steps numbered from 1. */
export function promptMessage(task: string, steps: string[]): GetPromptResult {
  return {
    messages: [
      {
        role: 'user',
        content: { type: 'text', text: [task, ...steps.map((step, i) => `${i + 1}. ${step}`)].join('\n') },
      },
    ],
  };
}
