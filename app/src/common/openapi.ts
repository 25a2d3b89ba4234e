import type { INestApplication } from "@nestjs/common";
import helmet from "helmet";
import {
  DocumentBuilder,
  getSchemaPath,
  SwaggerModule,
  type OpenAPIObject,
  type OperationObject,
  type ResponseObject,
} from "@nestjs/swagger";
import { ITEM_KEY_SCHEMA } from "../../../lib/item-key";
import { API_PREFIX, requiredScope } from "../../../lib/routes";
import { ErrorBodyDto } from "./error-body.dto";
import { REQUEST_ID_HEADER } from "../../../lib/request-id";

const SWAGGER_UI_PATH = "/docs";
const OPENAPI_JSON_PATH = "/openapi.json";
const BEARER = "bearer";

const errorResponse = (description: string, header?: string): ResponseObject => ({
  description,
  content: { "application/json": { schema: { $ref: getSchemaPath(ErrorBodyDto) } } },
  ...(header !== undefined && { headers: { [header]: { schema: { type: "string" } } } }),
});

/** ALB's own HTML page, without the ErrorBody or an x-request-id. */
const loadBalancerResponse = (description: string): ResponseObject => ({
  description: `${description}. Answered by the load balancer itself with an HTML page and no x-request-id.`,
  content: { "text/html": { schema: { type: "string" } } },
});

/** What Node's HTTP parser (in AWS, the load balancer) answers before any route runs. */
const parserResponse = (description: string): ResponseObject => ({
  description: `${description}. Answered before any route runs, without a body.`,
});

/** DELETE is served by the Lambda function behind the same load balancer, so Nest cannot see it. */
const DELETE_ITEM_OPERATION: OperationObject = {
  operationId: "deleteItem",
  summary: "Delete one item (served by the DELETE function)",
  tags: ["items"],
  parameters: [
    {
      name: "key",
      in: "path",
      required: true,
      description: "A key returned by put",
      schema: ITEM_KEY_SCHEMA,
    },
  ],
  responses: {
    "204": { description: "Deleted" },
    "400": errorResponse("The key is not a UUID v4"),
    "404": errorResponse("No item has this key"),
    "413": loadBalancerResponse("The request body is over 1 MB, ALB's limit for Lambda targets"),
    "502": loadBalancerResponse("The function failed, timed out or was throttled"),
    "503": errorResponse("DynamoDB is unreachable, timing out or throttling"),
  },
};

/**
 * What every operation shares: its scope, a wrong method on its path is a 405 with Allow, slow
 * or oversized requests are cut by the HTTP server, anything unexpected is a logged 500, and
 * every response picus code writes carries the request id.
 */
function addCommonResponses(document: OpenAPIObject): void {
  for (const [path, pathItem] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(pathItem) as [string, OperationObject][]) {
      const { responses } = operation;
      const scope = requiredScope(method.toUpperCase(), path);
      if (scope !== undefined) {
        operation.security = [{ [BEARER]: [] }];
        (operation as { "x-required-scope"?: string })["x-required-scope"] = scope;
        operation.description =
          `${operation.description ?? ""}\n\nNeeds a token with the scope ${scope}.`.trim();
        responses["401"] ??= errorResponse(
          "No token, or one that is malformed, expired or not from picus's issuer",
          "WWW-Authenticate",
        );
        responses["403"] ??= errorResponse(`The token does not carry ${scope}`, "WWW-Authenticate");
      }
      responses["405"] ??= errorResponse(
        "Another method: the Allow header names the ones this path serves",
        "Allow",
      );
      responses["500"] ??= errorResponse(
        "An unexpected failure, such as a missing permission; logged at error level",
      );
      for (const response of Object.values(responses) as ResponseObject[]) {
        if (response.content !== undefined && "text/html" in response.content) continue;
        response.headers = {
          ...response.headers,
          [REQUEST_ID_HEADER]: {
            description: "The request's x-request-id, else its x-amzn-trace-id, else a new UUID",
            schema: { type: "string" },
          },
        };
      }
      responses["408"] ??= parserResponse("The request took too long to arrive");
      responses["431"] ??= parserResponse("The request's headers are too large");
    }
  }
}

const CONTRACT = `Stores JSON objects under generated keys in one DynamoDB table.

- Every error picus writes has the ErrorBody shape; every response it writes carries
  \`x-request-id\` (the caller's, else the load balancer's \`x-amzn-trace-id\`, else a new UUID).
  The load balancer's own answers (DELETE's 413 and 502, and 502/503/504 when no task is healthy)
  are HTML.
- Paths match as the load balancer's rules do: case-sensitively, and a trailing slash makes
  another path. Query parameters a route does not take, or given twice, are a 400.
- Put reads up to 1 MiB of \`application/json\` or \`application/*+json\` in UTF-8, optionally
  gzip, deflate, br or zstd encoded (the limit applies to the inflated bytes). The item must fit
  DynamoDB's 400 KB, counted as DynamoDB counts it (413 otherwise), and be storable exactly as
  sent (422 otherwise, naming where): nested at most 32 levels, each number the same decimal
  value as a double holds (within ±(2^53−1), not nearer zero than 1e-130, about 15 significant
  digits: \`1e-400\` and \`3.14159265358979323846\` are refused, not rounded), no unpaired
  surrogates, no empty or \`__proto__\` key. \`-0\` is stored as \`0\`. A member name given twice
  in one object with different values is a 400.
- A list page holds up to \`limit\` items in table order and stops at DynamoDB's 1 MB Scan
  page, so a page of large items may be shorter; follow \`nextCursor\` (opaque) until it is null.
- 503 means DynamoDB was unreachable, slow or throttling: each call gets
  \`DYNAMODB_REQUEST_TIMEOUT_MS\` (1 s) per attempt and \`DYNAMODB_MAX_ATTEMPTS\` (3) attempts, so
  a 503 comes within about 3.5 s. Its outcome is unknown: a put answered 503 may have been
  stored. Send puts with an \`Idempotency-Key\` to retry them safely: the same key and body
  return the first put's key (201, same Location) for as long as the item exists; the same key
  with another body is a 409.
- Deletes are idempotent in effect: a retried delete of a deleted item gets 404.
- Headers, and a whole request, that take longer than 30 s to arrive are cut with a 408.
- On SIGTERM the service stops accepting, finishes in-flight requests (responses say
  \`Connection: close\`), answers any request still unanswered after 9 s with a 503, and exits
  within 10 s.`;

function createOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle("picus")
    .setDescription(CONTRACT)
    .setVersion("1")
    .addBearerAuth(
      {
        type: "http",
        scheme: "bearer",
        bearerFormat: "JWT",
        description:
          "An OAuth 2.0 access token (client credentials) from the stack's Cognito token " +
          "endpoint with the scopes picus/read, picus/write or picus/delete; locally, " +
          "`npm run -s token`. Each operation names the scope it needs in x-required-scope.",
      },
      BEARER,
    )
    .build();
  const document = SwaggerModule.createDocument(app, config, { extraModels: [ErrorBodyDto] });
  document.paths[`${API_PREFIX}/{key}`] = { delete: DELETE_ITEM_OPERATION };
  addCommonResponses(document);
  return document;
}

/** Swagger UI, the one HTML page, with helmet's headers; the document is built on first request. */
export function setupOpenApi(app: INestApplication): void {
  app.use(SWAGGER_UI_PATH, helmet());
  SwaggerModule.setup(SWAGGER_UI_PATH, app, () => createOpenApiDocument(app), {
    jsonDocumentUrl: OPENAPI_JSON_PATH,
    raw: ["json"],
  });
}
