/**
 * The framework's floor: plain Express 5 (the version under @nestjs/platform-express) with no Nest,
 * no logger and no validation, routing to the same handlers as the bare server and answering
 * through Express's response helpers, as Nest's Express adapter does. Its ratio to the bare
 * server bounds what any Nest service on the Express adapter can reach on this benchmark.
 */
import { createServer } from "node:http";
import express, { type NextFunction, type Request, type Response } from "express";
import { HEALTH_CHECK_PATH } from "../lib/routes";
import {
  errorResponse,
  GET_PREFIX,
  getItem,
  HttpError,
  listenHost,
  listenPort,
  putItem,
  PUT_PATH,
  readJsonObject,
  requestId,
} from "./handlers";

const app = express();
// The service's settings (app/src/app.factory.ts).
app.disable("x-powered-by");
app.set("etag", false);

app.use((req: Request, res: Response, next: NextFunction) => {
  res.setHeader("x-request-id", requestId(req));
  next();
});
app.get(HEALTH_CHECK_PATH, (_req: Request, res: Response) => {
  res.json({ status: "ok" });
});
app.post(PUT_PATH, async (req: Request, res: Response) => {
  const key = await putItem(await readJsonObject(req));
  res.status(201).location(`${GET_PREFIX}${key}`).json({ key });
});
app.get(`${GET_PREFIX}:key`, async (req: Request<{ key: string }>, res: Response) => {
  res.json(await getItem(req.params.key));
});
app.use((req: Request) => {
  throw new HttpError(404, `Cannot ${req.method} ${req.path}`);
});
app.use((error: unknown, _req: Request, res: Response, _next: NextFunction) => {
  const { statusCode, body } = errorResponse(error);
  if (res.headersSent) res.destroy();
  else res.status(statusCode).json(body);
});

const server = createServer(app);
server.listen(listenPort, listenHost);

process.once("SIGTERM", () => {
  server.close(() => process.exit(0));
  server.closeIdleConnections();
});
