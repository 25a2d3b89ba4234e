import { runStack, type StackRun } from "./testing/run-stack";
import { describeStack } from "./testing/stack-suite";

// The program is loaded only once the mocks are in place (runStack sets them first).
let run: StackRun;
beforeAll(async () => {
  run = await runStack("dev", () => import("./index"));
});

describe("dev stack (Pulumi.dev.yaml)", () => {
  describeStack(() => run, {
    availabilityZones: 2,
    natStrategy: "Single",
    deletionProtection: false,
    protect: false,
    cpu: "256",
    memory: "512",
    minCapacity: 1,
    maxCapacity: 2,
    deploymentConfig: "CodeDeployDefault.ECSAllAtOnce",
    terminationWaitMinutes: 1,
    logRetentionDays: 7,
    reservedConcurrency: -1,
    https: false,
    builtImage: true,
    traceSampleRatio: 1,
  });
});
