import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { ecrRepositoryArn, sourceHash } from "./registry";

describe("ecrRepositoryArn", () => {
  it("derives the repository ARN from an ECR digest reference", () => {
    const ref = `123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/picus@sha256:${"a".repeat(64)}`;
    expect(ecrRepositoryArn(ref)).toBe("arn:aws:ecr:eu-west-1:123456789012:repository/team/picus");
  });

  it("returns undefined for other registries", () => {
    expect(ecrRepositoryArn(`public.ecr.aws/picus/api@sha256:${"a".repeat(64)}`)).toBeUndefined();
  });
});

describe("sourceHash", () => {
  function context(files: Record<string, string>): string {
    const root = mkdtempSync(path.join(tmpdir(), "picus-context-"));
    for (const [file, content] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      writeFileSync(path.join(root, file), content);
    }
    return root;
  }

  it("depends on the image sources only, not on dependencies or build output", () => {
    const base = { "app/src/main.ts": "main", "package.json": "{}" };
    const hash = sourceHash(context(base));
    expect(hash).toMatch(/^[0-9a-f]{16}$/);
    expect(
      sourceHash(context({ ...base, "app/node_modules/x.js": "x", "app/dist/main.js": "js" })),
    ).toBe(hash);
    expect(sourceHash(context({ ...base, "infra/index.ts": "infra" }))).toBe(hash);
    expect(sourceHash(context({ ...base, "app/src/main.ts": "changed" }))).not.toBe(hash);
    expect(sourceHash(context({ "app/src/main.ts": "package.json{}" }))).not.toBe(hash);
  });
});
