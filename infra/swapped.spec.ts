import { named } from "./testing/query";
import { runStack, type StackRun } from "./testing/run-stack";

// dev after an odd number of blue/green deployments (the listeners forward to green in AWS), when
// an operator turns HTTPS on: the new 443 listener must serve from where the tasks are.
let run: StackRun;
beforeAll(async () => {
  run = await runStack(
    "dev",
    () => import("./index"),
    {
      "picus:domainName": "api.dev.picus.acme.test",
      "picus:hostedZoneId": "Z0123456789ABCDEFGHIJ",
    },
    "green",
  );
});

describe("a listener created after a blue/green swap", () => {
  const arn = (type: string, name: string) => named(run, type, name).state.arn as string;

  it("forwards to the target group that serves traffic now, not to blue", () => {
    const https = named(run, "aws:lb/listener:Listener", "edge-https");

    expect(https.inputs.defaultActions).toEqual([
      { type: "forward", targetGroupArn: arn("aws:lb/targetGroup:TargetGroup", "edge-green") },
    ]);
    expect(https.ignoreChanges).toEqual(["defaultActions"]);
  });

  it("reads where traffic goes from the test listener, which CodeDeploy keeps on the live group", () => {
    const test = named(run, "aws:lb/listener:Listener", "edge-test");
    const https = named(run, "aws:lb/listener:Listener", "edge-https");

    expect(https.dependencies).toContain(test.urn);
  });
});
