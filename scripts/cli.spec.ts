import { spawnSync } from "node:child_process";
import { resolve } from "node:path";

/** The command-line entry points as CI calls them: exit codes and messages. */
const ROOT = resolve(__dirname, "..");

function run(script: string, args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, ["--import", "tsx", script, ...args], {
    cwd: ROOT,
    encoding: "utf8",
    env: { ...process.env, ...env },
    timeout: 20_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("npm run smoke", () => {
  it("exits 2 with the usage when the base URL is missing or not http(s)", () => {
    expect(run("scripts/smoke/cli.ts", []).code).toBe(2);
    const bad = run("scripts/smoke/cli.ts", ["localhost:3000"]);

    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("usage: npm run smoke -- <base-url>");
  });

  it("exits 2 on a readiness timeout that is not a positive number", () => {
    const result = run("scripts/smoke/cli.ts", ["http://127.0.0.1:9"], {
      SMOKE_READY_TIMEOUT_MS: "soon",
    });

    expect(result.code).toBe(2);
    expect(result.stderr).toContain("SMOKE_READY_TIMEOUT_MS");
  });

  it("exits 1 naming the failed step when nothing answers", () => {
    const result = run("scripts/smoke/cli.ts", ["http://127.0.0.1:9"], {
      SMOKE_READY_TIMEOUT_MS: "500",
      SMOKE_TOKEN: "a.b.c",
    });

    expect(result.code).toBe(1);
    expect(result.stderr).toContain("smoke test FAILED at health:");
  });

  it("exits 2 when no token and no client credentials are given", () => {
    const result = run("scripts/smoke/cli.ts", ["http://127.0.0.1:9"], {
      SMOKE_TOKEN: "",
      SMOKE_TOKEN_URL: "",
    });

    expect(result.code).toBe(2);
    expect(result.stderr).toContain("no token given");
  });

  it("exits 1 at the token step when the token endpoint does not answer", () => {
    const result = run("scripts/smoke/cli.ts", ["http://127.0.0.1:9"], {
      SMOKE_TOKEN: "",
      SMOKE_TOKEN_URL: "http://127.0.0.1:9/oauth2/token",
      SMOKE_CLIENT_ID: "smoke",
      SMOKE_CLIENT_SECRET: "secret",
    });

    expect(result.code).toBe(1);
    expect(result.stderr).toContain("smoke test FAILED at token: the token endpoint");
  });
});

describe("npm run deploy-helper", () => {
  it("prints the targeted-up URNs one per line", () => {
    const result = run("scripts/deploy/cli.ts", ["repository-targets", "dev"]);

    expect(result.code).toBe(0);
    expect(result.stdout.trim().split("\n")).toHaveLength(3);
  });

  it("prints the docker platforms of the stacks", () => {
    const result = run("scripts/deploy/cli.ts", ["platforms", "dev", "prod"]);

    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toMatch(/^linux\/(amd64|arm64)(,linux\/arm64)?$/);
  });

  it("exits 1 with the reason on an invalid digest", () => {
    const result = run("scripts/deploy/cli.ts", ["digest-ref", "registry.local/repo", "latest"]);

    expect(result.code).toBe(1);
    expect(result.stderr).toContain("not a digest reference");
  });

  it("exits 2 with the usage on an unknown command", () => {
    const result = run("scripts/deploy/cli.ts", ["deploy-everything"]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain("usage: npm run deploy-helper");
  });
});
