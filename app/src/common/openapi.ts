import type { INestApplication } from "@nestjs/common";
import { DocumentBuilder, getSchemaPath, SwaggerModule, type OpenAPIObject } from "@nestjs/swagger";
import { API_PREFIX } from "../../../lib/routes";
import { ErrorBodyDto } from "./error-body.dto";
import { REQUEST_ID_HEADER } from "../../../lib/request-id";

export const OPENAPI_JSON_PATH = "/openapi.json";
export const SWAGGER_UI_PATH = "/docs";

const errorResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: { $ref: getSchemaPath(ErrorBodyDto) } } },
});

/**
 * An error the load balancer answers itself, before or instead of the function: ALB's HTML page,
 * without the ErrorBody or an x-request-id.
 */
const loadBalancerResponse = (description: string) => ({
  description: `${description}. Answered by the load balancer itself with an HTML page and no x-request-id.`,
  content: { "text/html": { schema: { type: "string" } } },
});

/** DELETE is served by the Lambda function behind the same load balancer, so Nest cannot see it. */
function addDeleteItemOperation(document: OpenAPIObject): void {
  document.paths[`${API_PREFIX}/{key}`] = {
    delete: {
      operationId: "deleteItem",
      summary: "Delete one item (served by the DELETE function)",
      tags: ["items"],
      parameters: [
        {
          name: "key",
          in: "path",
          required: true,
          description: "A key returned by put",
          schema: { type: "string", format: "uuid" },
        },
      ],
      responses: {
        "204": { description: "Deleted" },
        "400": errorResponse("The key is not a UUID v4"),
        "404": errorResponse("No item has this key"),
        "413": loadBalancerResponse(
          "The request body is over 1 MB, ALB's limit for Lambda targets",
        ),
        "502": loadBalancerResponse("The function failed, timed out or was throttled"),
        "503": errorResponse("DynamoDB is unreachable, timing out or throttling"),
      },
    },
  };
}

type ResponseObject = { headers?: object; content?: object };

/**
 * What every operation shares: anything unexpected (a missing permission, a bug) is a logged 500
 * with the error body, and every response picus code writes carries the request id (the load
 * balancer's own HTML answers do not).
 */
function addCommonResponses(document: OpenAPIObject): void {
  for (const pathItem of Object.values(document.paths)) {
    for (const operation of Object.values(pathItem)) {
      const responses = (operation as { responses?: Record<string, ResponseObject> }).responses;
      if (responses === undefined) continue;
      responses["500"] ??= errorResponse(
        "An unexpected failure, such as a missing permission; logged at error level",
      );
      for (const response of Object.values(responses)) {
        if (response.content !== undefined && "text/html" in response.content) continue;
        response.headers = {
          ...response.headers,
          [REQUEST_ID_HEADER]: {
            description: "The request's x-request-id, else its x-amzn-trace-id, else a new UUID",
            schema: { type: "string" },
          },
        };
      }
    }
  }
}

export function createOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle("picus")
    .setDescription(
      "Stores JSON objects under generated keys in one DynamoDB table. Every error response " +
        "picus writes has the ErrorBody shape, and every response it writes carries an " +
        "x-request-id header; the load balancer's own answers (DELETE's 413 and 502) are HTML.",
    )
    .setVersion("1")
    .build();
  const document = SwaggerModule.createDocument(app, config, { extraModels: [ErrorBodyDto] });
  addDeleteItemOperation(document);
  addCommonResponses(document);
  return document;
}

export function setupOpenApi(app: INestApplication): void {
  const document = createOpenApiDocument(app);
  SwaggerModule.setup(SWAGGER_UI_PATH, app, document, {
    jsonDocumentUrl: OPENAPI_JSON_PATH,
    raw: ["json"],
  });
}
