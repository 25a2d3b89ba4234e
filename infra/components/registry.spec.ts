import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { ecrRepositoryArn, imageSources, imageTag } from "./registry";

describe("ecrRepositoryArn", () => {
  it("derives the repository ARN from an ECR digest reference", () => {
    const ref = `123456789012.dkr.ecr.eu-west-1.amazonaws.com/team/picus@sha256:${"a".repeat(64)}`;
    expect(ecrRepositoryArn(ref)).toBe("arn:aws:ecr:eu-west-1:123456789012:repository/team/picus");
  });

  it("returns undefined for other registries", () => {
    expect(ecrRepositoryArn(`public.ecr.aws/picus/api@sha256:${"a".repeat(64)}`)).toBeUndefined();
  });
});

describe("imageTag", () => {
  const DOCKERIGNORE = "*\n!package.json\n!app/src\n!lib\n**/*.spec.ts\n";

  function context(files: Record<string, string>): string {
    const root = mkdtempSync(path.join(tmpdir(), "picus-context-"));
    for (const [file, content] of Object.entries({ ".dockerignore": DOCKERIGNORE, ...files })) {
      mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
      writeFileSync(path.join(root, file), content);
    }
    return root;
  }
  const base = { "app/src/main.ts": "main", "package.json": "{}", "app/Dockerfile": "FROM x" };

  it("changes with every input of the build, not with files the build never reads", () => {
    const tag = imageTag(context(base), "ARM64");

    expect(tag).toMatch(/^src-[0-9a-f]{16}$/);
    expect(imageTag(context({ ...base, "app/node_modules/x.js": "x" }), "ARM64")).toBe(tag);
    expect(imageTag(context({ ...base, "infra/index.ts": "infra" }), "ARM64")).toBe(tag);
    const changes: Record<string, string>[] = [
      { "app/src/main.ts": "changed" },
      { "lib/routes.ts": "new" },
      { "app/Dockerfile": "FROM y" },
      { ".dockerignore": `${DOCKERIGNORE}!tsconfig.json\n`, "tsconfig.json": "{}" },
    ];
    for (const changed of changes) {
      expect(imageTag(context({ ...base, ...changed }), "ARM64")).not.toBe(tag);
    }
  });

  it("differs per platform, since the same sources build another image for each", () => {
    const root = context(base);
    expect(imageTag(root, "X86_64")).not.toBe(imageTag(root, "ARM64"));
  });

  it("covers the repository's real build context", () => {
    const root = path.resolve(__dirname, "..", "..");
    expect(imageSources(root)).toEqual(
      expect.arrayContaining(["package.json", "package-lock.json", "lib", "app/Dockerfile"]),
    );
  });
});
