import { runStack, type StackRun } from "./testing/run-stack";
import { describeStack, PROD_EXPECTATIONS } from "./testing/stack-suite";

// The program is loaded only once the mocks are in place (runStack sets them first).
let run: StackRun;
beforeAll(async () => {
  run = await runStack("prod", () => import("./index"));
});

describe("prod stack (Pulumi.prod.yaml)", () => {
  describeStack(() => run, PROD_EXPECTATIONS);
});
