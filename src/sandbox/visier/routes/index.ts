// Every route the sandbox serves, in match order.
import type { Route } from '../context.js';
import { authRoutes } from './auth.js';
import { dataQueryRoutes } from './data-query.js';
import { permissionRoutes } from './permissions.js';
import { profileRoutes } from './profiles.js';
import { projectRoutes } from './projects.js';
import { reportRoutes } from './reports.js';
import { userGroupsV1Routes } from './user-groups-v1.js';
import { userGroupsV2Routes } from './user-groups-v2.js';
import { usersV1Routes } from './users-v1.js';
import { usersV2Routes } from './users-v2.js';

/**
 * Marks the routes whose endpoint takes the `ProjectID` header (reference section 1.6, the OpenAPI spec): reads
 * and changes there act inside the project it names. `methods` limits it to those methods of a mixed list.
 */
const inProjects = (list: Route[], methods?: readonly string[]): Route[] =>
  list.map((route) => (methods === undefined || methods.includes(route.method) ? { ...route, projects: true } : route));

export const routes: Route[] = [
  ...authRoutes,
  ...reportRoutes,
  ...profileRoutes,
  ...projectRoutes,
  // Creating, updating and deleting users are not subject to projects; reading them is.
  ...inProjects(usersV1Routes, ['GET']),
  ...inProjects(permissionRoutes),
  ...inProjects(userGroupsV1Routes),
  ...inProjects(userGroupsV2Routes),
  ...usersV2Routes,
  ...dataQueryRoutes,
];
