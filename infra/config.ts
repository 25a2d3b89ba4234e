import * as pulumi from "@pulumi/pulumi";
import { z } from "zod";
import { LOG_LEVELS } from "../lib/config";
import { SCOPES } from "../lib/routes";

export type NatStrategy = "Single" | "OnePerAz";
export type CpuArchitecture = "ARM64" | "X86_64";

/** Everything that differs between stacks, read and validated once from `Pulumi.<stack>.yaml`. */
export type StackSettings = ReturnType<typeof loadSettings>;
/** The service's size, scaling and logging in one stack. */
export type ServiceSettings = StackSettings["service"];

const DIGEST_REFERENCE = /^[a-z0-9.-]+(:[0-9]+)?\/[a-z0-9._/-]+@sha256:[0-9a-f]{64}$/;
const CIDR = /^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/;
/** Retention periods CloudWatch Logs accepts. */
const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827];
/** pino's levels but "silent", which suits tests, not a deployed stack. */
const STACK_LOG_LEVELS = LOG_LEVELS.filter((level) => level !== "silent");

function oneOf<T extends string>(key: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) {
    throw new Error(`picus:${key} must be one of ${allowed.join(", ")}; got "${value}"`);
  }
  return value as T;
}

/** `picus:apiClients`: one Cognito app client per consumer, with the scopes it may request. */
const apiClients = z
  .array(
    z.strictObject({
      name: z
        .string()
        .regex(/^[a-z][a-z0-9-]{0,39}$/, "lowercase letters, digits and dashes")
        .refine((name) => name !== "smoke", "smoke is the pipeline's own client"),
      scopes: z.array(z.enum(Object.values(SCOPES))).min(1),
    }),
  )
  .refine((list) => new Set(list.map((c) => c.name)).size === list.length, "names must be unique");

/** A Cognito domain prefix; AWS refuses `aws`, `amazon` and `cognito` in it. */
const DOMAIN_PREFIX = /^(?!.*(aws|amazon|cognito))[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

function cidrs(key: string, value: string[]): string[] {
  const bad = value.filter((cidr) => !CIDR.test(cidr));
  if (bad.length > 0) throw new Error(`picus:${key} holds invalid CIDRs: ${bad.join(", ")}`);
  return value;
}

export function loadSettings() {
  const config = new pulumi.Config("picus");
  const aws = new pulumi.Config("aws");

  const image = config.get("image");
  if (image !== undefined && !DIGEST_REFERENCE.test(image)) {
    throw new Error(
      `picus:image must be a digest reference (<repository>@sha256:<digest>); got "${image}"`,
    );
  }
  const minCapacity = config.getNumber("minCapacity", { min: 1 }) ?? 1;
  const maxCapacity = config.getNumber("maxCapacity", { min: minCapacity }) ?? minCapacity;
  const logRetentionDays = config.getNumber("logRetentionDays") ?? 30;
  if (!RETENTION_DAYS.includes(logRetentionDays)) {
    throw new Error(`picus:logRetentionDays must be one of ${RETENTION_DAYS.join(", ")}`);
  }

  const parsed = apiClients.safeParse(config.getObject("apiClients") ?? []);
  if (!parsed.success) {
    throw new Error(`picus:apiClients is invalid: ${z.prettifyError(parsed.error)}`);
  }
  const authDomainPrefix = config.get("authDomainPrefix");
  if (authDomainPrefix !== undefined && !DOMAIN_PREFIX.test(authDomainPrefix)) {
    throw new Error(`picus:authDomainPrefix "${authDomainPrefix}" is not a valid Cognito prefix`);
  }
  if (config.get("certificateArn") !== undefined) {
    throw new Error("picus:certificateArn is gone: set picus:domainName and picus:hostedZoneId");
  }
  const domainName = config.get("domainName");
  const hostedZoneId = config.get("hostedZoneId");
  if ((domainName === undefined) !== (hostedZoneId === undefined)) {
    throw new Error("picus:domainName and picus:hostedZoneId are set together or not at all");
  }
  const domain =
    domainName !== undefined && hostedZoneId !== undefined
      ? { name: domainName, hostedZoneId }
      : undefined;
  if (config.getBoolean("requireHttps") === true && domain === undefined) {
    throw new Error(
      "picus:requireHttps is true: set picus:domainName and picus:hostedZoneId (docs/delivery.md)",
    );
  }

  const deploymentConfig = config.get("deploymentConfig") ?? "CodeDeployDefault.ECSAllAtOnce";
  const terminationWaitMinutes =
    config.getNumber("terminationWaitMinutes", { min: 0, max: 2880 }) ?? 5;
  // e.g. CodeDeployDefault.ECSCanary10Percent15Minutes: traffic moves over 15 minutes.
  const shiftMinutes = Number(/(\d+)Minutes?$/.exec(deploymentConfig)?.[1] ?? 0);
  const minimumRolloutMinutes = terminationWaitMinutes + shiftMinutes + 15;
  return {
    project: pulumi.getProject(),
    stack: pulumi.getStack(),
    owner: config.require("owner"),
    region: aws.require("region"),
    awsProfile: aws.get("profile"),
    network: {
      availabilityZones: config.getNumber("availabilityZones", { min: 2, max: 6 }) ?? 2,
      natStrategy: oneOf("natGateways", config.get("natGateways") ?? "OnePerAz", [
        "Single",
        "OnePerAz",
      ] as const),
    },
    data: {
      deletionProtection: config.getBoolean("tableDeletionProtection") ?? true,
      protect: config.getBoolean("protectTable") ?? true,
    },
    /** A digest reference (`<repository>@sha256:<64 hex>`); unset means build `app/Dockerfile`. */
    image,
    edge: {
      /** When set, HTTPS on 443 serves production traffic and port 80 only redirects to it. */
      domain,
      ingressCidrs: cidrs(
        "albIngressCidrs",
        config.getObject<string[]>("albIngressCidrs") ?? ["0.0.0.0/0"],
      ),
      testTrafficCidrs: cidrs(
        "testTrafficCidrs",
        config.getObject<string[]>("testTrafficCidrs") ?? [],
      ),
      deregistrationDelaySeconds:
        config.getNumber("deregistrationDelaySeconds", { min: 0, max: 3600 }) ?? 30,
    },
    service: {
      cpu: config.getNumber("taskCpu") ?? 256,
      memory: config.getNumber("taskMemory") ?? 512,
      architecture: oneOf("cpuArchitecture", config.get("cpuArchitecture") ?? "ARM64", [
        "ARM64",
        "X86_64",
      ] as const),
      minCapacity,
      maxCapacity,
      cpuTargetPercent: config.getNumber("cpuTargetPercent", { min: 10, max: 90 }) ?? 60,
      logLevel: oneOf("logLevel", config.get("logLevel") ?? "info", STACK_LOG_LEVELS),
      /** The share of traces the API starts that it records (a parent's decision wins). */
      traceSampleRatio: config.getNumber("traceSampleRatio", { min: 0, max: 1 }) ?? 0.05,
      /** The OpenTelemetry collector sidecar's share of the task. */
      collector: {
        cpu: config.getNumber("collectorCpu", { min: 0 }) ?? 64,
        memoryMb: config.getNumber("collectorMemoryMb", { min: 32 }) ?? 128,
      },
    },
    deployment: {
      config: deploymentConfig,
      terminationWaitMinutes,
      // A deployment stays in progress through its canary or linear steps and the termination
      // wait; a shorter budget would stop, and roll back, a deployment that is going well.
      timeoutMinutes:
        config.getNumber("rolloutTimeoutMinutes", { min: minimumRolloutMinutes }) ??
        Math.max(60, minimumRolloutMinutes),
      /** Deploy the declared revision even though its last deployment failed (one-off). */
      retryFailedRevision: config.getBoolean("retryFailedRevision") ?? false,
    },
    deleteFunction: {
      memoryMb: 256,
      /** -1 leaves the function on the account's unreserved pool. */
      reservedConcurrency: config.getNumber("deleteFunctionReservedConcurrency", { min: -1 }) ?? -1,
    },
    identity: {
      apiClients: parsed.data,
      accessTokenMinutes: config.getNumber("accessTokenMinutes", { min: 5, max: 1440 }) ?? 60,
      domainPrefix: authDomainPrefix,
    },
    /** Requests per client IP per 5 minutes before the web ACL blocks that IP. */
    wafRateLimit: config.getNumber("wafRateLimit", { min: 10, max: 2_000_000_000 }) ?? 1000,
    logRetentionDays,
    alarmEmail: config.get("alarmEmail"),
  };
}
