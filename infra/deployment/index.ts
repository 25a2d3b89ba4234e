export {
  EcsBlueGreenRollout,
  type EcsBlueGreenRolloutArgs,
  type TaskNetworkArgs,
} from "./ecs-blue-green-rollout";
export { DEFAULT_TIMEOUT_MINUTES } from "./rollout-env";
