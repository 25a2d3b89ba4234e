import * as aws from "@pulumi/aws";
import type { StackSettings } from "./config";

/** The tags every resource carries; applied once, as the AWS provider's default tags. */
export function standardTags(settings: StackSettings): Record<string, string> {
  return { project: settings.project, stack: settings.stack, owner: settings.owner };
}

/** The one AWS provider every component uses: region from config, tags from `standardTags`. */
export function createAwsProvider(settings: StackSettings): aws.Provider {
  return new aws.Provider("aws", {
    region: settings.region,
    // An explicit provider ignores `aws:*` stack config unless handed over, so pass the profile on.
    profile: settings.awsProfile,
    defaultTags: { tags: standardTags(settings) },
  });
}
