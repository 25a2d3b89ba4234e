import * as aws from "@pulumi/aws";
import * as dockerBuild from "@pulumi/docker-build";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync, statSync } from "node:fs";
import * as path from "node:path";
import type { CpuArchitecture } from "../config";

export interface RegistryArgs {
  /** A digest reference to deploy as is; unset builds `app/Dockerfile` and pushes it here. */
  image?: string;
  architecture: CpuArchitecture;
  /** Lets `pulumi destroy` delete the repository while it still holds images. */
  forceDelete: boolean;
}

/** The repository root: the Docker build context. */
const CONTEXT_DIR = path.resolve(__dirname, "..", "..");
/** How many tagged images the lifecycle policy keeps. */
const KEEP_IMAGES = 30;

/** Every path the build reads: the `!` entries of .dockerignore (its only way in), the Dockerfile. */
export function imageSources(contextDir: string): string[] {
  const allowed = readFileSync(path.join(contextDir, ".dockerignore"), "utf8")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line.startsWith("!"))
    .map((line) => line.slice(1).replace(/^\/+/, ""));
  const globs = allowed.filter((entry) => /[*?[]/.test(entry));
  if (globs.length > 0) throw new Error(`imageSources reads plain paths only: ${globs.join(", ")}`);
  return [...allowed, "app/Dockerfile", ".dockerignore"];
}
const SKIPPED_DIRS = new Set(["node_modules", "dist", "coverage", ".data"]);

function addToHash(hash: ReturnType<typeof createHash>, root: string, relative: string): void {
  const absolute = path.join(root, relative);
  let stats;
  try {
    stats = statSync(absolute);
  } catch {
    return;
  }
  if (stats.isDirectory()) {
    for (const entry of readdirSync(absolute).sort()) {
      if (!SKIPPED_DIRS.has(entry)) addToHash(hash, root, path.join(relative, entry));
    }
  } else {
    hash.update(relative.split(path.sep).join("/")).update("\0").update(readFileSync(absolute));
  }
}

/**
 * A hash of every input of the build: docker-build pushes again only when one changes, so a push
 * never meets an existing (immutable) tag with other content.
 */
export function imageTag(contextDir: string, architecture: CpuArchitecture): string {
  const hash = createHash("sha256").update(`platform=${architecture}\0`);
  for (const source of imageSources(contextDir)) addToHash(hash, contextDir, source);
  return `src-${hash.digest("hex").slice(0, 16)}`;
}

/** The ECR repository ARN behind an ECR image reference, or undefined for other registries. */
export function ecrRepositoryArn(imageRef: string): string | undefined {
  const match = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([^@:]+)/.exec(
    imageRef,
  );
  if (!match) return undefined;
  const [, account, region, repository] = match;
  const partition = region.startsWith("cn-") ? "aws-cn" : "aws";
  return `arn:${partition}:ecr:${region}:${account}:repository/${repository}`;
}

/**
 * The ECR repository (immutable tags, scan on push, bounded history) and the service image as a
 * digest reference: the configured one, or one built from `app/Dockerfile` during `pulumi up`.
 */
export class Registry extends pulumi.ComponentResource {
  public readonly repositoryUrl: pulumi.Output<string>;
  /** `<repository>@sha256:<digest>`: what the task definition runs. */
  public readonly imageRef: pulumi.Output<string>;
  /** The repositories the task execution role may pull from. */
  public readonly pullRepositoryArns: pulumi.Output<string[]>;

  constructor(name: string, args: RegistryArgs, opts?: pulumi.ComponentResourceOptions) {
    super("picus:registry:Registry", name, {}, opts);

    const repository = new aws.ecr.Repository(
      `${name}-repo`,
      {
        imageTagMutability: "IMMUTABLE",
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfigurations: [{ encryptionType: "AES256" }],
        forceDelete: args.forceDelete,
      },
      { parent: this },
    );

    new aws.ecr.LifecyclePolicy(
      `${name}-lifecycle`,
      {
        repository: repository.name,
        policy: JSON.stringify({
          rules: [
            ["Expire untagged images after a day", "untagged", "sinceImagePushed", 1],
            [`Keep the last ${KEEP_IMAGES} images`, "any", "imageCountMoreThan", KEEP_IMAGES],
          ].map(([description, tagStatus, countType, countNumber], index) => ({
            rulePriority: index + 1,
            description,
            selection: {
              tagStatus,
              countType,
              countNumber,
              ...(countType === "sinceImagePushed" && { countUnit: "days" }),
            },
            action: { type: "expire" },
          })),
        }),
      },
      { parent: this },
    );

    this.repositoryUrl = repository.repositoryUrl;

    if (args.image !== undefined) {
      this.imageRef = pulumi.output(args.image);
      const external = ecrRepositoryArn(args.image);
      this.pullRepositoryArns = repository.arn.apply((own) =>
        external === undefined || external === own ? [own] : [own, external],
      );
    } else {
      const auth = aws.ecr.getAuthorizationTokenOutput(
        { registryId: repository.registryId },
        { parent: this },
      );
      const image = new dockerBuild.Image(
        `${name}-image`,
        {
          context: { location: CONTEXT_DIR },
          dockerfile: { location: path.join(CONTEXT_DIR, "app", "Dockerfile") },
          platforms: [
            args.architecture === "ARM64"
              ? dockerBuild.Platform.Linux_arm64
              : dockerBuild.Platform.Linux_amd64,
          ],
          push: true,
          // `pulumi preview` (and the policy check in CI) needs no Docker daemon.
          buildOnPreview: false,
          tags: [
            pulumi.interpolate`${repository.repositoryUrl}:${imageTag(CONTEXT_DIR, args.architecture)}`,
          ],
          registries: [
            {
              address: repository.repositoryUrl,
              username: auth.userName,
              password: pulumi.secret(auth.password),
            },
          ],
        },
        { parent: this },
      );
      this.imageRef = pulumi.interpolate`${repository.repositoryUrl}@${image.digest}`;
      this.pullRepositoryArns = repository.arn.apply((own) => [own]);
    }

    this.registerOutputs({
      repositoryUrl: this.repositoryUrl,
      imageRef: this.imageRef,
    });
  }
}
