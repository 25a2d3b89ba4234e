import type { INestApplication } from "@nestjs/common";
import { DocumentBuilder, getSchemaPath, SwaggerModule, type OpenAPIObject } from "@nestjs/swagger";
import { API_PREFIX } from "../../../lib/routes";
import { ErrorBodyDto } from "./error-body.dto";

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
        "503": errorResponse("DynamoDB is unreachable, timing out or throttling"),
      },
    },
  };
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
  return document;
}

export function setupOpenApi(app: INestApplication): void {
  const document = createOpenApiDocument(app);
  SwaggerModule.setup(SWAGGER_UI_PATH, app, document, {
    jsonDocumentUrl: OPENAPI_JSON_PATH,
    raw: ["json"],
  });
}
