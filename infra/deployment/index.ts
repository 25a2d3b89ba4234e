export { EcsBlueGreenRollout, type EcsBlueGreenRolloutArgs } from "./ecs-blue-green-rollout";
export { DEFAULT_TIMEOUT_MINUTES } from "./rollout-env";
