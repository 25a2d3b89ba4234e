import { spawn } from "node:child_process";
import * as path from "node:path";

/**
 * Starts the pack the way the Pulumi CLI does (node on the pack directory, cwd there) and waits
 * for the analyzer to announce its port: proof that the TypeScript loads and the pack serves.
 */
function startPack(): Promise<string> {
  const child = spawn(process.execPath, ["index.js"], {
    cwd: path.join(__dirname),
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new Promise<string>((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes("\n")) {
        child.kill();
        resolve(stdout.trim());
      }
    });
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("exit", (code) =>
      reject(new Error(`policy pack exited with ${String(code)} before serving:\n${stderr}`)),
    );
    child.on("error", reject);
  });
}

describe("the policy pack entry point", () => {
  it("loads the TypeScript pack and serves the analyzer", async () => {
    await expect(startPack()).resolves.toMatch(/^\d+$/);
  }, 30_000);
});
