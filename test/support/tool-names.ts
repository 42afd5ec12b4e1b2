// The tool catalogue written out rather than read from src/tools, so a tool that appears, disappears or
// changes classification fails the tests that list tools.

/** Every tool the read-only mode lists. */
export const READ_TOOLS = [
  'compare_user_access',
  'explain_user_access',
  'find_users',
  'get_profile',
  'get_report',
  'get_user',
  'get_user_group',
  'list_permissions',
  'list_profiles',
  'list_projects',
  'list_recent_changes',
  'list_user_group_members',
  'list_user_groups',
  'list_user_profiles',
  'list_users',
  'list_users_with_permission',
  'review_access',
];

/** The tools `user-writes` adds: they change profile fields and grant no access. */
export const WRITE_TOOLS = ['bulk_create_users', 'bulk_update_users', 'create_project', 'create_user', 'update_user'];

/** The tools only `full` lists. */
const ACCESS_AND_DESTRUCTIVE_TOOLS = [
  'add_users_to_group',
  'assign_permissions_to_group',
  'assign_permissions_to_users',
  'assign_profile',
  'bulk_delete_users',
  'create_user_groups',
  'delete_user',
  'delete_user_groups',
  'remove_permissions_from_group',
  'remove_permissions_from_users',
  'remove_profile',
  'remove_users_from_group',
  'undo_change',
  'update_user_groups',
];

/** Every tool, sorted as `names.sort()` sorts them. */
export const CATALOGUE = [...READ_TOOLS, ...WRITE_TOOLS, ...ACCESS_AND_DESTRUCTIVE_TOOLS].sort();
