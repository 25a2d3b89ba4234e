import { z } from "zod";

/** What `pulumi up` asks the rollout CLI to do: one JSON document, validated on both sides. */
export const RolloutRequestSchema = z.object({
  region: z.string().min(1),
  applicationName: z.string().min(1),
  deploymentGroupName: z.string().min(1),
  clusterName: z.string().min(1),
  serviceName: z.string().min(1),
  /** The revision the stack declares: deployed when the service runs anything else. */
  taskDefinitionArn: z
    .string()
    .regex(/^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task-definition\/[\w-]+:\d+$/),
  containerName: z.string().min(1),
  containerPort: z.number().int().min(1).max(65535),
  network: z.object({
    subnets: z.array(z.string().regex(/^subnet-[0-9a-f]+$/)).min(1),
    securityGroups: z.array(z.string().regex(/^sg-[0-9a-f]+$/)).min(1),
    assignPublicIp: z.boolean(),
  }),
  /** Per target group ARN, the alarms that judge tasks registered in it (its rollback alarms). */
  rollbackAlarms: z.record(z.string(), z.array(z.string().min(1))),
  /** Deploy the declared revision even though its last deployment failed. */
  retryFailedRevision: z.boolean(),
  /** Budget for one CodeDeploy deployment, and separately for the service to become steady. */
  timeoutMinutes: z.number().positive(),
  steadyTimeoutMinutes: z.number().positive(),
});

export type RolloutRequest = z.infer<typeof RolloutRequestSchema>;

/** Parses the CLI's stdin; the error lists every problem at once. */
export function parseRolloutRequest(text: string): RolloutRequest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error("The rollout request is not JSON.");
  }
  const parsed = RolloutRequestSchema.safeParse(json);
  if (!parsed.success) {
    throw new Error(`Invalid rollout request:\n${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}
