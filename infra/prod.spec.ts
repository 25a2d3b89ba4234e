import { runStack, type StackRun } from "./testing/run-stack";
import { describeStack } from "./test/stack-suite";

// The program is loaded only once the mocks are in place (runStack sets them first).
let run: StackRun;
beforeAll(async () => {
  run = await runStack("prod", () => import("./index"));
});

describe("prod stack (Pulumi.prod.yaml)", () => {
  describeStack(() => run, {
    availabilityZones: 3,
    natStrategy: "OnePerAz",
    deletionProtection: true,
    protect: true,
    cpu: "512",
    memory: "1024",
    minCapacity: 2,
    maxCapacity: 10,
    deploymentConfig: "CodeDeployDefault.ECSCanary10Percent5Minutes",
    terminationWaitMinutes: 15,
    logRetentionDays: 90,
    reservedConcurrency: -1,
    https: false,
    builtImage: true,
  });
});
