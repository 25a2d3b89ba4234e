import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { buffer } from "node:stream/consumers";
import type { ALBEvent, ALBResult } from "aws-lambda";
import { errorBody } from "../lib/errors";
import { DELETE_ITEM_ROUTE, matchesRoute } from "../lib/routes";

/** Content types ALB passes as text; any other body reaches a Lambda target base64-encoded. */
const TEXT_CONTENT =
  /^(text\/|application\/([\w.+-]*\+)?(json|xml|javascript|x-www-form-urlencoded))/i;

/**
 * Does locally what the listener rule does in AWS: a request matching DELETE_ITEM_ROUTE becomes
 * an ALB event for the function's handler, and its result the response; everything else goes on
 * to the Nest service. The target group sends single-value headers, so the event does too.
 */
export function albBridge(handler: (event: ALBEvent) => Promise<ALBResult>) {
  return (req: IncomingMessage, res: ServerResponse, next: () => void): void => {
    const [, path, query] = /^([^?]*)\??(.*)$/s.exec(req.url ?? "/")!;
    if (!matchesRoute(DELETE_ITEM_ROUTE, req.method ?? "GET", path)) return next();
    buffer(req)
      .then((body) => handler(toAlbEvent(req, path, query, body)))
      .then((result) => {
        res.writeHead(result.statusCode, result.headers as Record<string, string>);
        res.end(result.body ?? "");
      })
      .catch(() => {
        res.writeHead(502, { "content-type": "application/json; charset=utf-8" });
        res.end(JSON.stringify(errorBody(502, "The DELETE function failed")));
      });
  };
}

/** The event as ALB builds it: the raw path and query, the last value of each header and parameter. */
function toAlbEvent(req: IncomingMessage, path: string, query: string, body: Buffer): ALBEvent {
  const headers: Record<string, string> = {
    "x-amzn-trace-id": `Root=1-${Math.floor(Date.now() / 1000).toString(16)}-${randomBytes(12).toString("hex")}`,
  };
  for (let index = 0; index + 1 < req.rawHeaders.length; index += 2) {
    headers[req.rawHeaders[index].toLowerCase()] = req.rawHeaders[index + 1];
  }
  const parameters = query
    .split("&")
    .filter((pair) => pair !== "")
    .map((pair) => {
      const [name, ...value] = pair.split("=");
      return [name, value.join("=")] as const;
    });
  const binary = body.length > 0 && !TEXT_CONTENT.test(headers["content-type"] ?? "");
  return {
    requestContext: { elb: { targetGroupArn: "arn:aws:elasticloadbalancing:local" } },
    httpMethod: req.method ?? "GET",
    path,
    queryStringParameters: Object.fromEntries(parameters),
    headers,
    body: body.toString(binary ? "base64" : "utf8"),
    isBase64Encoded: binary,
  };
}
