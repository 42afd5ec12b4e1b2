// Matches method and path to a route; a known path with another method is a 405, anything else a 404.

import { notFound, StatusError } from '../status-error.js';
import type { Route } from './context.js';

interface CompiledRoute {
  route: Route;
  pattern: RegExp;
  keys: string[];
}

export class Router {
  private readonly compiled: CompiledRoute[];

  /** Order matters: literal paths such as `/users/reports/...` must precede `/users/:userId`. */
  constructor(routes: Route[]) {
    this.compiled = routes.map((route) => {
      const keys: string[] = [];
      const source = route.path.replace(/:([A-Za-z]+)/g, (_, key: string) => {
        keys.push(key);
        return '([^/]+)';
      });
      return { route, pattern: new RegExp(`^${source}/?$`), keys };
    });
  }

  match(method: string, path: string): { route: Route; params: Record<string, string> } {
    let pathKnown = false;
    for (const { route, pattern, keys } of this.compiled) {
      const match = pattern.exec(path);
      if (!match) continue;
      pathKnown = true;
      if (route.method !== method) continue;
      const params: Record<string, string> = {};
      keys.forEach((key, i) => {
        params[key] = decodeURIComponent(match[i + 1] ?? '');
      });
      return { route, params };
    }
    if (pathKnown) throw new StatusError(405, 'MethodNotAllowed', `${method} is not supported on ${path}`);
    throw notFound(`No API at ${path}`);
  }
}
