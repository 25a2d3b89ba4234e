import { randomBytes } from "node:crypto";
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from "node:http";
import type { ALBEvent, ALBResult } from "aws-lambda";
import { DELETE_ITEM_ROUTE, matchesRoute, type AlbRoute } from "../lib/routes";

type AlbHandler = (event: ALBEvent) => Promise<ALBResult>;
type Middleware = (req: IncomingMessage, res: ServerResponse, next: () => void) => void;

export interface AlbBridgeOptions {
  /** The route the load balancer sends to the function; DELETE_ITEM_ROUTE unless a test says otherwise. */
  route?: AlbRoute;
  /** The target group's `lambda.multi_value_headers.enabled` (off in infra, as by default). */
  multiValueHeaders?: boolean;
  /** The largest body ALB passes to a Lambda target. */
  maxBodyBytes?: number;
}

const ONE_MIB = 1024 * 1024;
const TARGET_GROUP_ARN =
  "arn:aws:elasticloadbalancing:local:000000000000:targetgroup/picus-local-delete/0000000000000000";
const TEXT_CONTENT =
  /^(text\/|application\/([\w.+-]*\+)?(json|xml|javascript|x-www-form-urlencoded))/i;

/**
 * Express middleware that does locally what the ALB listener rule does in AWS: requests that
 * match the route become an ALB Lambda event for the real function handler, whose ALB result
 * becomes the response. Everything else goes on to the Nest service.
 */
export function albBridge(handler: AlbHandler, options: AlbBridgeOptions = {}): Middleware {
  const route = options.route ?? DELETE_ITEM_ROUTE;
  const maxBodyBytes = options.maxBodyBytes ?? ONE_MIB;
  const multiValue = options.multiValueHeaders ?? false;
  return (req, res, next) => {
    const target = originForm(req.url ?? "/");
    const queryStart = target.indexOf("?");
    const path = queryStart === -1 ? target : target.slice(0, queryStart);
    if (!matchesRoute(route, req.method ?? "GET", path)) {
      next();
      return;
    }
    if (req.httpVersion === "1.1" && req.headers.host === undefined) {
      // ALB refuses an HTTP/1.1 request without Host before any rule applies.
      sendLoadBalancerError(res, 400);
      return;
    }
    readBody(req, maxBodyBytes)
      .then(async (body) => {
        if (body === undefined) {
          // ALB refuses a body over 1 MB for a Lambda target itself; the function never runs.
          sendLoadBalancerError(res, 413);
          return;
        }
        const event = toAlbEvent(
          req,
          path,
          queryStart === -1 ? "" : target.slice(queryStart + 1),
          body,
          multiValue,
        );
        writeResult(res, await handler(event));
      })
      .catch(() => {
        // ALB answers 502 when the function fails, times out or is throttled.
        if (!res.headersSent) sendLoadBalancerError(res, 502);
        else res.destroy();
      });
  };
}

const ABSOLUTE_FORM = /^[a-z][a-z\d+.-]*:\/\/[^/?#]*/i;

/** A proxy-style `http://host/path?query` target as the `/path?query` the load balancer routes on. */
function originForm(target: string): string {
  const origin = ABSOLUTE_FORM.exec(target)?.[0];
  if (origin === undefined) return target;
  const rest = target.slice(origin.length);
  return rest.startsWith("/") ? rest : `/${rest}`;
}

function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on("end", () => resolve(tooLarge ? undefined : Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

/** The event as ALB builds it: raw path and query (not decoded), lower-cased headers, ALB's own headers. */
export function toAlbEvent(
  req: IncomingMessage,
  path: string,
  rawQuery: string,
  body: Buffer,
  multiValue: boolean,
): ALBEvent {
  const headers = new Map<string, string[]>();
  for (let index = 0; index + 1 < req.rawHeaders.length; index += 2) {
    const name = req.rawHeaders[index].toLowerCase();
    headers.set(name, [...(headers.get(name) ?? []), req.rawHeaders[index + 1]]);
  }
  const albHeaders: Record<string, string> = {
    "x-forwarded-for": req.socket.remoteAddress ?? "127.0.0.1",
    "x-forwarded-proto": "http",
    "x-forwarded-port": String(req.socket.localPort ?? ""),
  };
  for (const [name, value] of Object.entries(albHeaders)) headers.set(name, [value]);
  if (!headers.has("x-amzn-trace-id")) headers.set("x-amzn-trace-id", [newTraceId()]);

  const query = new Map<string, string[]>();
  for (const pair of rawQuery.split("&").filter((part) => part !== "")) {
    const separator = pair.indexOf("=");
    const name = separator === -1 ? pair : pair.slice(0, separator);
    const value = separator === -1 ? "" : pair.slice(separator + 1);
    query.set(name, [...(query.get(name) ?? []), value]);
  }

  const contentType = headers.get("content-type")?.at(-1) ?? "";
  const binary = body.length > 0 && !TEXT_CONTENT.test(contentType);
  const event: ALBEvent = {
    requestContext: { elb: { targetGroupArn: TARGET_GROUP_ARN } },
    httpMethod: req.method ?? "GET",
    path,
    body: binary ? body.toString("base64") : body.toString("utf8"),
    isBase64Encoded: binary,
  };
  if (multiValue) {
    event.multiValueHeaders = Object.fromEntries(headers);
    event.multiValueQueryStringParameters = Object.fromEntries(query);
  } else {
    // Without multi-value headers, ALB passes the last value of a repeated header or parameter.
    event.headers = Object.fromEntries([...headers].map(([name, values]) => [name, values.at(-1)]));
    event.queryStringParameters = Object.fromEntries(
      [...query].map(([name, values]) => [name, values.at(-1)]),
    );
  }
  return event;
}

function newTraceId(): string {
  const seconds = Math.floor(Date.now() / 1000).toString(16);
  return `Root=1-${seconds}-${randomBytes(12).toString("hex")}`;
}

export function writeResult(res: ServerResponse, result: ALBResult): void {
  res.statusCode = result.statusCode;
  const description = result.statusDescription?.replace(/^\d{3}\s*/, "");
  if (description) res.statusMessage = description;
  if (result.multiValueHeaders) {
    for (const [name, values] of Object.entries(result.multiValueHeaders)) {
      res.setHeader(name, values.map(String));
    }
  } else {
    for (const [name, value] of Object.entries(result.headers ?? {}))
      res.setHeader(name, String(value));
  }
  const body = result.body ?? "";
  res.end(result.isBase64Encoded ? Buffer.from(body, "base64") : body);
}

/**
 * An error the load balancer writes itself, as ALB does: its HTML page and `Server: awselb/2.0`,
 * without the service's JSON body or x-request-id, because no picus code answers it.
 */
export function sendLoadBalancerError(res: ServerResponse, statusCode: number): void {
  const title = `${statusCode} ${STATUS_CODES[statusCode] ?? ""}`.trim();
  const page = `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n</body>\r\n</html>\r\n`;
  res.statusCode = statusCode;
  res.setHeader("server", "awselb/2.0");
  res.setHeader("content-type", "text/html");
  res.setHeader("content-length", Buffer.byteLength(page));
  res.end(page);
}
