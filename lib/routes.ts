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

export const SCOPES = {
  read: "picus/read",
  write: "picus/write",
  delete: "picus/delete",
} as const;
export type Scope = (typeof SCOPES)[keyof typeof SCOPES];

/** A route by its OpenAPI path template; `{key}` matches one path segment unless `pattern` says more. */
const route = (method: string, template: string, scope?: Scope, pattern?: string) => ({
  method,
  template,
  scope,
  path: new RegExp(`^${pattern ?? template.replace("{key}", "[^/]+")}$`),
});

/**
 * Every route of the origin, service and function alike, with the scope a caller's token must
 * carry (none for the health routes): the one table behind 405's Allow header, the service's
 * guard, the function's check and the OpenAPI document's security requirements.
 */
const ORIGIN_ROUTES = [
  route("GET", HEALTH_CHECK_PATH),
  route("GET", "/ready"),
  route("GET", `${API_PREFIX}/list`, SCOPES.read),
  route("POST", `${API_PREFIX}/put`, SCOPES.write),
  route("GET", `${API_PREFIX}/get/{key}`, SCOPES.read),
  route("DELETE", `${API_PREFIX}/{key}`, SCOPES.delete, `${API_PREFIX}/(?!list$|put$|get$)[^/]+`),
];

export const UNMATCHED_ROUTE = "unmatched";

/** The methods the origin serves on `path` (HEAD with GET); empty for an unknown path. */
export function allowedMethods(path: string): string[] {
  const methods = ORIGIN_ROUTES.filter((route) => route.path.test(path)).map(
    (route) => route.method,
  );
  return methods.includes("GET") ? [...methods, "HEAD"] : methods;
}

function findRoute(method: string, path: string) {
  const asked = method === "HEAD" ? "GET" : method;
  return ORIGIN_ROUTES.find((route) => route.method === asked && route.path.test(path));
}

export function requiredScope(method: string, path: string): Scope | undefined {
  return findRoute(method, path)?.scope;
}

/** The route a request matched, as a metric dimension: `GET /picus/get/{key}`, never the raw path. */
export function routeTemplate(method: string, path: string): string {
  const route = findRoute(method, path);
  return route === undefined ? UNMATCHED_ROUTE : `${route.method} ${route.template}`;
}

export const API_RESPONSE_HEADERS = {
  "cache-control": "no-store",
  "x-content-type-options": "nosniff",
} as const;
