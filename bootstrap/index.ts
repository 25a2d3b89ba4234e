import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { GithubDeployRoles } from "./components/github-deploy-roles";
import { StateBackend } from "./components/state-backend";
import { loadSettings } from "./config";
import { BOOTSTRAP_TAG } from "./policies";

const settings = loadSettings();
const region = aws.getRegionOutput().region;

const tags = { project: settings.projectName, [BOOTSTRAP_TAG.key]: BOOTSTRAP_TAG.value };

const backend = new StateBackend("state", { tags });

const github = new GithubDeployRoles("github", {
  ...settings,
  tags,
  stateBucketArn: backend.bucketArn,
  kmsKeyArn: backend.kmsKeyArn,
});

export const stateBucketName = backend.bucketName;
export const kmsKeyArn = backend.kmsKeyArn;
export const oidcProviderArn = github.oidcProviderArn;
export const deployRoleArns = github.deployRoleArns;
export const previewRoleArn = github.previewRoleArn;
export const boundaryArns = github.boundaryArns;

/** The GitHub Actions variables the workflows read (repository level unless noted). */
export const githubVariables = {
  AWS_REGION: region,
  PULUMI_BACKEND_URL: pulumi.interpolate`s3://${backend.bucketName}?region=${region}`,
  PULUMI_SECRETS_PROVIDER: pulumi.interpolate`awskms://${backend.kmsAliasName}?region=${region}`,
  AWS_PREVIEW_ROLE_ARN: github.previewRoleArn,
  "AWS_DEPLOY_ROLE_ARN (per environment)": github.deployRoleArns,
};
