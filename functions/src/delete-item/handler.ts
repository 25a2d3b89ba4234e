import { createDocumentClient } from "../../../lib/dynamo-client";
import { readConfig } from "./config";
import { createDeleteItemHandler, type DeleteItemHandler } from "./create-handler";
import { createLogger } from "./logger";

// Cold start: a missing or malformed environment fails here, with every problem named.
const config = readConfig(process.env);
const documentClient = createDocumentClient(config.dynamo);

export const handler: DeleteItemHandler = createDeleteItemHandler({
  documentClient,
  tableName: config.tableName,
  logger: createLogger(config.logLevel),
});
