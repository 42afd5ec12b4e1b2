// Every route the sandbox serves, in match order.
import type { Route } from '../context.js';
import { authRoutes } from './auth.js';
import { permissionRoutes } from './permissions.js';
import { profileRoutes } from './profiles.js';
import { reportRoutes } from './reports.js';
import { userGroupsV1Routes } from './user-groups-v1.js';
import { userGroupsV2Routes } from './user-groups-v2.js';
import { usersV1Routes } from './users-v1.js';
import { usersV2Routes } from './users-v2.js';

export const routes: Route[] = [
  ...authRoutes,
  ...reportRoutes,
  ...profileRoutes,
  ...usersV1Routes,
  ...permissionRoutes,
  ...userGroupsV1Routes,
  ...userGroupsV2Routes,
  ...usersV2Routes,
];
