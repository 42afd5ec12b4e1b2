// Draft projects: list by state, create, read one. A project is real isolated state (see TenantState): changes
// sent with its `ProjectID` header, or naming it in the body, land in it and are read back only with it.

import { badRequest } from '../../status-error.js';
import type { Route } from '../context.js';
import { objectBody, optionalString } from '../params.js';
import type { ProjectRecord, ProjectStateName } from '../tenant-state.js';

const STATES: readonly ProjectStateName[] = ['Open', 'Approval', 'Rejected', 'Archived'];
const LIST_KEY: Record<ProjectStateName, string> = {
  Open: 'openProjects',
  Approval: 'approvalProjects',
  Rejected: 'rejectedProjects',
  Archived: 'archivedProjects',
};

/** `servicing.ProjectDTO`, with the caller's capabilities in it. */
function projectDto(project: ProjectRecord, actor: string) {
  return {
    id: project.projectId,
    name: project.name,
    description: project.description,
    releaseVersion: project.releaseVersion,
    ticketNumber: project.ticketNumber,
    versionNumber: project.versionNumber,
    capabilities: project.owner === actor ? ['owner'] : ['canRead', 'canWrite'],
    projectType: project.projectType,
  };
}

/** Visier's `with`: an array parameter, repeated; empty means the open projects only. */
function wantedStates(query: URLSearchParams): ProjectStateName[] {
  const asked = query.getAll('with').filter(Boolean);
  for (const state of asked) {
    if (!STATES.includes(state as ProjectStateName)) {
      throw badRequest(`'with' must be one of ${STATES.join(', ')}, got '${state}'`);
    }
  }
  return asked.length > 0 ? (asked as ProjectStateName[]) : ['Open'];
}

function limitParam(query: URLSearchParams): number {
  const raw = query.get('limit');
  if (raw === null || raw === '') return 100;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > 1000) {
    throw badRequest(`Query parameter 'limit' must be an integer from 1 to 1000, got '${raw}'`);
  }
  return value;
}

export const projectRoutes: Route[] = [
  {
    method: 'GET',
    path: '/v1/admin/projects',
    handle({ query, tenant, actor }) {
      const limit = limitParam(query);
      const json: Record<string, unknown> = {};
      for (const state of wantedStates(query)) {
        json[LIST_KEY[state]] = [...tenant.projects.values()]
          .filter((project) => project.state === state)
          .slice(0, limit)
          .map((project) => projectDto(project, actor));
      }
      return { status: 200, json };
    },
  },
  {
    method: 'POST',
    path: '/v1/admin/projects',
    handle({ body, tenant, actor }) {
      const record = objectBody(body);
      if (record.id !== undefined) throw badRequest("Omit 'id' when creating a project");
      const name = optionalString(record, 'name');
      if (!name) throw badRequest("'name' is required");
      const project = tenant.createProject(actor, {
        name,
        description: optionalString(record, 'description') ?? '',
        releaseVersion: optionalString(record, 'releaseVersion') ?? '',
        ticketNumber: optionalString(record, 'ticketNumber') ?? '',
      });
      tenant.record(actor, 'ProjectCreated', project.name);
      return { status: 200, json: projectDto(project, actor) };
    },
  },
  {
    method: 'GET',
    path: '/v1/admin/projects/:projectId',
    handle({ params, tenant, actor }) {
      const project = tenant.requireProject(params.projectId as string).project as ProjectRecord;
      return { status: 200, json: projectDto(project, actor) };
    },
  },
];
