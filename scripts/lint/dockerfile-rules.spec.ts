import { lintDockerfile } from "./dockerfile-rules";

const GOOD = `# syntax=docker/dockerfile:1
FROM node:22.23.3-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci \\
    --no-audit
FROM build AS runtime
USER node
CMD ["node", "dist/app/src/main.js"]
`;

describe("lintDockerfile", () => {
  it("accepts a multi-stage Dockerfile with pinned bases and a non-root final user", () => {
    expect(lintDockerfile(GOOD)).toEqual([]);
  });

  it("reports syntax problems from the validator with their line", () => {
    const problems = lintDockerfile("FROM node:22\nWORKDIR app\nUSER node\n");

    expect(problems).toEqual([{ line: 2, message: "WORKDIR paths should be absolute" }]);
  });

  it("reports unknown instructions as failures, not warnings", () => {
    const problems = lintDockerfile("FROM node:22\nFOO bar\nUSER node\n");

    expect(problems.map((problem) => problem.line)).toEqual([2]);
  });

  it.each(["node", "node:latest", "registry.local:5000/node"])(
    "rejects the unpinned base image %s",
    (image) => {
      const problems = lintDockerfile(`FROM ${image}\nUSER node\n`);

      expect(problems).toEqual([
        {
          line: 1,
          message: `base image "${image}" must carry an explicit tag or digest (not latest)`,
        },
      ]);
    },
  );

  it("resolves global ARG defaults in FROM", () => {
    expect(lintDockerfile("ARG BASE=node:22-slim\nFROM ${BASE}\nUSER node\n")).toEqual([]);
    expect(lintDockerfile("ARG BASE=node\nFROM ${BASE} AS run\nUSER node\n")).toEqual([
      { line: 2, message: 'base image "node" must carry an explicit tag or digest (not latest)' },
    ]);
  });

  it("accepts a digest-pinned base image and a platform flag", () => {
    const image = `node@sha256:${"a".repeat(64)}`;

    expect(lintDockerfile(`FROM --platform=linux/arm64 ${image}\nUSER 1000:1000\n`)).toEqual([]);
  });

  it.each([
    ["no USER at all", 'FROM node:22\nCMD ["node"]\n'],
    ["USER root", "FROM node:22\nUSER root\n"],
    ["USER 0:0", "FROM node:22\nUSER 0:0\n"],
    [
      "a non-root user only in an earlier stage",
      "FROM node:22 AS a\nUSER node\nFROM a\nUSER root\n",
    ],
  ])("requires a non-root user in the final stage (%s)", (_case, content) => {
    const problems = lintDockerfile(content);

    expect(problems.map((problem) => problem.message)).toContain(
      "the final stage must switch to a non-root USER",
    );
  });

  it("rejects ADD of a remote URL", () => {
    const problems = lintDockerfile("FROM node:22\nADD https://example.com/x.tgz /x\nUSER node\n");

    expect(problems).toEqual([
      {
        line: 2,
        message: "ADD of a remote URL is not reproducible; download in a RUN step with a checksum",
      },
    ]);
  });
});
