import type { INestApplication } from "@nestjs/common";
import { DocumentBuilder, getSchemaPath, SwaggerModule, type OpenAPIObject } from "@nestjs/swagger";
import { API_PREFIX } from "../../../lib/routes";
import { ErrorBodyDto } from "./error-body.dto";
import { REQUEST_ID_HEADER } from "./request-id";

export const OPENAPI_JSON_PATH = "/openapi.json";
export const SWAGGER_UI_PATH = "/docs";

const errorResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: { $ref: getSchemaPath(ErrorBodyDto) } } },
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
        "413": errorResponse(
          "The request body is over the load balancer's 1 MiB for Lambda targets",
        ),
        "503": errorResponse("DynamoDB is unreachable, timing out or throttling"),
      },
    },
  };
}

/** Every response, whichever route and status, carries the request id. */
function addRequestIdHeader(document: OpenAPIObject): void {
  for (const pathItem of Object.values(document.paths)) {
    for (const operation of Object.values(pathItem)) {
      const responses = (operation as { responses?: Record<string, { headers?: object }> })
        .responses;
      for (const response of Object.values(responses ?? {})) {
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
        "has the ErrorBody shape, and every response carries an x-request-id header.",
    )
    .setVersion("1")
    .build();
  const document = SwaggerModule.createDocument(app, config, { extraModels: [ErrorBodyDto] });
  addDeleteItemOperation(document);
  addRequestIdHeader(document);
  return document;
}

export function setupOpenApi(app: INestApplication): void {
  const document = createOpenApiDocument(app);
  SwaggerModule.setup(SWAGGER_UI_PATH, app, document, {
    jsonDocumentUrl: OPENAPI_JSON_PATH,
    raw: ["json"],
  });
}
