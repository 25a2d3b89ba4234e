/**
 * The one routing definition shared by the local stack and the load balancer's listener rule:
 * the DELETE function answers `DELETE /picus/*`; everything else goes to the Nest service.
 */
export const API_PREFIX = "/picus";

export const CONTAINER_PORT = 3000;

export const HEALTH_CHECK_PATH = "/health";

export interface AlbRoute {
  readonly method: string;
  /** An ALB path pattern: `*` matches any run of characters, `?` exactly one. */
  readonly pathPattern: string;
}

export const DELETE_ITEM_ROUTE: AlbRoute = { method: "DELETE", pathPattern: `${API_PREFIX}/*` };

function patternToRegExp(pathPattern: string): RegExp {
  const source = pathPattern
    .split("")
    .map((char) => {
      if (char === "*") return ".*";
      if (char === "?") return ".";
      return char.replace(/[.+^${}()|[\]\\]/g, "\\$&");
    })
    .join("");
  return new RegExp(`^${source}$`);
}

/** Whether a request matches a route the way an ALB listener rule evaluates it (path is case-sensitive). */
export function matchesRoute(route: AlbRoute, method: string, path: string): boolean {
  return method.toUpperCase() === route.method && patternToRegExp(route.pathPattern).test(path);
}
