import { z } from 'zod';
import { counted } from '../../grammar.js';
import { PROJECT_STATES, type Project, type ProjectInput } from '../../providers/visier/api.js';
import { fencedText, linesWithinBudget, quoted } from '../shared/format.js';
import { defineTool } from './define.js';
import { name, routing, text } from './fields.js';
import { fingerprint } from './preview.js';

// Draft projects: Visier recommends making changes inside a project rather than publishing each to production.
// The change tools whose endpoints take a ProjectID accept `projectId`; these list and create the projects.

const projectOut = z.object({
  projectId: z.string(),
  name: z.string().optional(),
  description: z.string().optional(),
  releaseVersion: z.string().optional(),
  ticketNumber: z.string().optional(),
  versionNumber: z.number().int().optional(),
  capabilities: z.array(z.string()).optional().describe("The caller's rights: canRead, canWrite, canShare, owner"),
  projectType: z.string().optional(),
});

const projectLine = (p: Project, state?: string) =>
  [
    `${p.projectId} ${quoted(p.name ?? '')}`,
    ...(state ? [state] : []),
    ...(p.description ? [`description: ${quoted(p.description)}`] : []),
    ...(p.ticketNumber ? [`ticket: ${quoted(p.ticketNumber)}`] : []),
    ...(p.capabilities?.length ? [`you: ${p.capabilities.join(', ')}`] : []),
  ].join('; ');

export const listProjects = defineTool({
  name: 'list_projects',
  title: 'List projects',
  description: 'Lists draft projects by state (default: open); change tools act inside one given its projectId.',
  classification: 'read',
  inputSchema: {
    states: z
      .array(z.enum(PROJECT_STATES))
      .min(1)
      .max(PROJECT_STATES.length)
      .optional()
      .describe('Which states to list (default Open)'),
    limit: z.number().int().min(1).max(1000).optional().describe('Projects per state (1-1000, default 100)'),
    ...routing,
  },
  outputSchema: {
    projects: z.array(projectOut.extend({ state: z.enum(PROJECT_STATES) })),
    returned: z.number().int(),
  },
  handler: async (args, ctx) => {
    const listed = await ctx.api.listProjects(
      { ...(args.states ? { states: args.states } : {}), ...(args.limit ? { limit: args.limit } : {}) },
      ctx.call,
    );
    const lines = listed.map(({ state, project }) => projectLine(project, state));
    const fit = linesWithinBudget(lines, ctx);
    const cut = fit < lines.length ? ` (first ${fit}: the rest exceed the result size cap)` : '';
    return {
      text: fencedText(`${counted(listed.length, 'project')}${cut}:`, lines.slice(0, fit), ctx),
      structured: {
        projects: listed.slice(0, fit).map(({ state, project }) => ({ ...project, state })),
        returned: fit,
      },
    };
  },
});

const projectInput = (args: ProjectInput): ProjectInput => ({
  name: args.name,
  ...(args.description === undefined ? {} : { description: args.description }),
  ...(args.releaseVersion === undefined ? {} : { releaseVersion: args.releaseVersion }),
  ...(args.ticketNumber === undefined ? {} : { ticketNumber: args.ticketNumber }),
});

export const createProject = defineTool({
  name: 'create_project',
  title: 'Create project',
  description: 'Creates an open draft project; changes made with its projectId stay in it until it is published.',
  classification: 'write',
  inputSchema: {
    name: name('Project name'),
    description: text('Description').optional(),
    releaseVersion: text('Release version').optional(),
    ticketNumber: text('Change-management ticket number').optional(),
    ...routing,
  },
  outputSchema: { project: projectOut },
  // Nobody's account or access changes: a new project is empty until changes are made in it, and those count.
  itemCount: () => 0,
  preview: async (args) => ({
    summary: `Create project ${quoted(args.name)}`,
    targets: [],
    fingerprint: fingerprint(['create_project', projectInput(args)]),
  }),
  handler: async (args, ctx) => {
    const project = await ctx.api.createProject(projectInput(args), ctx.call);
    return { text: fencedText('Created project:', [projectLine(project)], ctx), structured: { project } };
  },
});

export const PROJECT_TOOLS = [listProjects, createProject];
