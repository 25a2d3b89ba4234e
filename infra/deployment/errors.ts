export interface FailedLifecycleEvent {
  targetId: string;
  lifecycleEventName: string;
  errorCode?: string;
  message?: string;
}

export interface DeploymentFailure {
  deploymentId: string;
  taskDefinitionArn: string;
  status: "Failed" | "Stopped";
  errorCode?: string;
  errorMessage?: string;
  rollbackDeploymentId?: string;
  rollbackMessage?: string;
  failedLifecycleEvent?: FailedLifecycleEvent;
}

/** CodeDeploy finished the deployment as Failed or Stopped; carries CodeDeploy's own reason. */
export class RolloutFailedError extends Error {
  override readonly name = "RolloutFailedError";

  constructor(readonly failure: DeploymentFailure) {
    super(describeFailure(failure));
  }
}

/** The deployment did not finish in time; `stopped` tells whether it was stopped with rollback. */
export class RolloutTimeoutError extends Error {
  override readonly name = "RolloutTimeoutError";

  constructor(
    readonly deploymentId: string,
    readonly lastStatus: string,
    message: string,
  ) {
    super(message);
  }
}

/** Another deployment of the same deployment group kept the rollout from starting. */
export class RolloutBlockedError extends Error {
  override readonly name = "RolloutBlockedError";
}

function describeFailure(failure: DeploymentFailure): string {
  const lines = [
    `CodeDeploy deployment ${failure.deploymentId} of ${failure.taskDefinitionArn} ended ${failure.status}: ` +
      `[${failure.errorCode ?? "UNKNOWN"}] ${failure.errorMessage ?? "CodeDeploy gave no error message"}`,
  ];
  const event = failure.failedLifecycleEvent;
  if (event) {
    const code = event.errorCode ? `[${event.errorCode}] ` : "";
    lines.push(
      `Failed lifecycle event ${event.lifecycleEventName} on ${event.targetId}: ${code}${event.message ?? ""}`.trimEnd(),
    );
  }
  if (failure.rollbackDeploymentId || failure.rollbackMessage) {
    const by = failure.rollbackDeploymentId ? ` by deployment ${failure.rollbackDeploymentId}` : "";
    lines.push(`Rolled back${by}: ${failure.rollbackMessage ?? "no rollback message"}`);
  }
  return lines.join("\n");
}
