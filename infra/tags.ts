import * as aws from "@pulumi/aws";
import type { StackSettings } from "./config";

/** The one AWS provider every component uses: region from config, and the tags every resource
 * carries (project, stack, owner) applied once, as its default tags. */
export function createAwsProvider(settings: StackSettings): aws.Provider {
  const { project, stack, owner } = settings;
  return new aws.Provider("aws", {
    region: settings.region,
    // An explicit provider ignores `aws:*` stack config unless handed over, so pass the profile on.
    profile: settings.awsProfile,
    defaultTags: { tags: { project, stack, owner } },
  });
}
