import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { SCOPES } from "../../lib/routes";
import { startLocalStack, type LocalStack } from "../../local/local-stack";
import { runSmoke } from "./run-smoke";

/**
 * The passing smoke run, end to end, against the real local stack (Nest service, DELETE function
 * behind the shared routing, dynalite on disk): the same script CI runs against each deployed stack.
 */
describe("smoke test against the local stack", () => {
  let stack: LocalStack;
  const tokens = () => ({
    token: stack.issuer.sign(Object.values(SCOPES)),
    readOnlyToken: stack.issuer.sign([SCOPES.read]),
  });
  let dataDir: string;

  const logLevel = process.env.LOG_LEVEL;

  beforeAll(async () => {
    process.env.LOG_LEVEL = "silent";
    dataDir = await mkdtemp(join(tmpdir(), "picus-smoke-"));
    stack = await startLocalStack({ port: 0, dataDir });
  });

  afterAll(async () => {
    await stack.close();
    await rm(dataDir, { recursive: true, force: true });
    if (logLevel === undefined) delete process.env.LOG_LEVEL;
    else process.env.LOG_LEVEL = logLevel;
  });

  it("passes every step and leaves no item behind", async () => {
    const lines: string[] = [];

    const { key } = await runSmoke({
      baseUrl: stack.url,
      ...tokens(),
      readyTimeoutMs: 10_000,
      log: (line) => lines.push(line),
    });

    expect(lines).toEqual([
      "ok   health",
      "ok   put without a token → 401",
      "ok   delete without a token → 401",
      "ok   put with a read-only token → 403",
      `ok   put ${key}`,
      "ok   get",
      "ok   list",
      "ok   delete",
      "ok   get after delete → 404",
    ]);
    const gone = await fetch(`${stack.url}/picus/get/${key}`, {
      headers: { authorization: `Bearer ${tokens().token}` },
    });
    expect(gone.status).toBe(404);
  });

  it("exits 0 as `npm run smoke -- <url>` with the tokens in SMOKE_TOKEN and SMOKE_READ_TOKEN", async () => {
    const root = resolve(__dirname, "..", "..");
    const { token, readOnlyToken } = tokens();
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/smoke/cli.ts", stack.url], {
      cwd: root,
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, SMOKE_TOKEN: token, SMOKE_READ_TOKEN: readOnlyToken },
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    const code = await new Promise<number | null>((done) => child.on("close", done));

    expect({ code, output }).toEqual({
      code: 0,
      output: expect.stringContaining(`smoke test passed against ${stack.url}`),
    });
  });
});
