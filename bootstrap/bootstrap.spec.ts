import * as pulumi from "@pulumi/pulumi";
import type { PolicyDocument, PolicyStatement } from "./policies";

/**
 * Runs the real bootstrap program under Pulumi mocks and asserts its security properties: who can
 * assume each role, what each role may do, and how the state bucket is locked down.
 */
interface Declared {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  protect: boolean;
}

const ACCOUNT = "123456789012";
const declared: Declared[] = [];

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    {
      newResource: (args) => {
        declared.push({ type: args.type, name: args.name, inputs: args.inputs, protect: false });
        const arn =
          args.type === "aws:iam/role:Role"
            ? `arn:aws:iam::${ACCOUNT}:role/${args.name}`
            : `arn:aws:${args.type.split(":")[1].split("/")[0]}:eu-west-1:${ACCOUNT}:${args.name}`;
        const extra: Record<string, unknown> = { arn };
        if (args.type === "aws:s3/bucket:Bucket") {
          extra.bucket = `picus-pulumi-state-${args.name}`;
          extra.arn = `arn:aws:s3:::picus-pulumi-state-${args.name}`;
        }
        if (args.type === "aws:kms/key:Key") extra.keyId = "key-1234";
        return { id: `${args.name}-id`, state: { ...args.inputs, ...extra } };
      },
      call: (args) => {
        if (args.token === "aws:index/getCallerIdentity:getCallerIdentity") {
          return { accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/x`, userId: "x" };
        }
        if (args.token === "aws:index/getPartition:getPartition") return { partition: "aws" };
        if (args.token === "aws:index/getRegion:getRegion")
          return { region: "eu-west-1", name: "eu-west-1" };
        return {};
      },
    },
    "picus-bootstrap",
    "main",
    false,
  );
  pulumi.runtime.setAllConfig({
    "picus-bootstrap:githubOwner": "acme",
    "picus-bootstrap:githubRepo": "picus",
  });
  const program = await import("./index");
  await new Promise<void>((resolve) => program.previewRoleArn?.apply(() => resolve()));
  await settle();
});

async function settle() {
  let count = -1;
  while (count !== declared.length) {
    count = declared.length;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function resources(type: string): Declared[] {
  return declared.filter((resource) => resource.type === type);
}

function one(type: string, name: string): Declared {
  const found = declared.find((resource) => resource.type === type && resource.name === name);
  if (found === undefined) throw new Error(`no ${type} named ${name}`);
  return found;
}

function policyOf(resource: Declared, key: string): PolicyDocument {
  return JSON.parse(resource.inputs[key] as string) as PolicyDocument;
}

function asList(value: string | string[] | undefined): string[] {
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

function allPolicies(): { name: string; document: PolicyDocument }[] {
  return [
    ...resources("aws:iam/role:Role").map((role) => ({
      name: role.name,
      document: policyOf(role, "assumeRolePolicy"),
    })),
    ...resources("aws:iam/rolePolicy:RolePolicy").map((policy) => ({
      name: policy.name,
      document: policyOf(policy, "policy"),
    })),
    ...resources("aws:s3/bucketPolicy:BucketPolicy").map((policy) => ({
      name: policy.name,
      document: policyOf(policy, "policy"),
    })),
  ];
}

const allows = (document: PolicyDocument): PolicyStatement[] =>
  document.Statement.filter((statement) => statement.Effect === "Allow");

describe("GitHub OIDC trust", () => {
  it("creates the provider for GitHub's issuer with the STS audience", () => {
    const [provider] = resources("aws:iam/openIdConnectProvider:OpenIdConnectProvider");

    expect(provider.inputs.url).toBe("https://token.actions.githubusercontent.com");
    expect(provider.inputs.clientIdLists).toEqual(["sts.amazonaws.com"]);
  });

  it.each(["dev", "prod"])(
    "lets only this repository's %s environment assume that stack's deploy role",
    (stack) => {
      const trust = policyOf(
        one("aws:iam/role:Role", `github-deploy-${stack}`),
        "assumeRolePolicy",
      );

      expect(trust.Statement).toEqual([
        {
          Effect: "Allow",
          Principal: { Federated: expect.stringContaining("github-oidc") },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: {
            StringEquals: {
              "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
              "token.actions.githubusercontent.com:sub": `repo:acme/picus:environment:${stack}`,
            },
          },
        },
      ]);
    },
  );

  it("gives deploy sessions two hours, enough for a prod canary, and previews one", () => {
    expect(one("aws:iam/role:Role", "github-deploy-prod").inputs.maxSessionDuration).toBe(7200);
    expect(one("aws:iam/role:Role", "github-preview").inputs.maxSessionDuration).toBe(3600);
  });

  it("lets pull requests of this repository assume only the preview role", () => {
    const trust = policyOf(one("aws:iam/role:Role", "github-preview"), "assumeRolePolicy");

    expect(trust.Statement[0].Condition?.StringEquals).toEqual({
      "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
      "token.actions.githubusercontent.com:sub": "repo:acme/picus:pull_request",
    });
  });

  it("has no wildcard in any trust subject and no StringLike matching", () => {
    for (const role of resources("aws:iam/role:Role")) {
      for (const statement of policyOf(role, "assumeRolePolicy").Statement) {
        expect(statement.Condition?.StringLike).toBeUndefined();
        expect(JSON.stringify(statement.Condition)).not.toContain("*");
      }
    }
  });
});

describe("IAM hygiene across every policy", () => {
  it("never allows a wildcard principal", () => {
    for (const { name, document } of allPolicies()) {
      for (const statement of allows(document)) {
        const principals = Object.values(statement.Principal ?? {}).flatMap(asList);
        expect({ name, principals }).toEqual({
          name,
          principals: expect.not.arrayContaining(["*"]),
        });
      }
    }
  });

  it("never allows every action, nor uses NotAction", () => {
    for (const { name, document } of allPolicies()) {
      for (const statement of allows(document)) {
        expect({ name, actions: asList(statement.Action) }).toEqual({
          name,
          actions: expect.not.arrayContaining(["*", "*:*"]),
        });
        expect(statement).not.toHaveProperty("NotAction");
      }
    }
  });

  it("denies each deploy role everything tagged with another stack but pulling its images", () => {
    const dev = policyOf(
      one("aws:iam/rolePolicy:RolePolicy", "github-deploy-dev-policy"),
      "policy",
    );

    expect(dev.Statement).toContainEqual({
      Sid: "KeepOffOtherStacks",
      Effect: "Deny",
      NotAction: [
        "ecr:BatchCheckLayerAvailability",
        "ecr:BatchGetImage",
        "ecr:DescribeImages",
        "ecr:DescribeRepositories",
        "ecr:GetDownloadUrlForLayer",
      ],
      Resource: "*",
      Condition: {
        StringEquals: { "aws:ResourceTag/project": "picus", "aws:ResourceTag/stack": ["prod"] },
      },
    });
  });

  it("scopes a deploy role's state access to its own stack", () => {
    const dev = policyOf(
      one("aws:iam/rolePolicy:RolePolicy", "github-deploy-dev-policy"),
      "policy",
    );
    const objectResources = dev.Statement.filter((statement) =>
      asList(statement.Action).some(
        (action) => action.startsWith("s3:") && action.endsWith("Object"),
      ),
    ).flatMap((statement) => asList(statement.Resource));

    expect(objectResources.length).toBeGreaterThan(0);
    for (const resource of objectResources) {
      expect(resource).toMatch(
        /(\/\.pulumi\/\*\/picus\/dev(\.json\*|\/\*)|\/\.pulumi\/meta\.yaml)$/,
      );
    }
  });

  it("limits IAM to the stack's path and boundary, and passing roles to picus services", () => {
    const dev = policyOf(
      one("aws:iam/rolePolicy:RolePolicy", "github-deploy-dev-policy"),
      "policy",
    );
    const mutating = allows(dev).filter((statement) =>
      asList(statement.Action).some((action) => /^iam:(?!Get|List)/.test(action)),
    );

    expect(allows(dev).flatMap((statement) => asList(statement.Action))).not.toContain("iam:*");
    for (const statement of mutating) expect(statement.Condition).toBeDefined();
    expect(
      dev.Statement.find((statement) => statement.Sid === "PassRolesOfThisStackToPicusServices"),
    ).toMatchObject({
      Resource: `arn:aws:iam::${ACCOUNT}:role/picus/dev/*`,
      Condition: {
        StringEquals: {
          "iam:PassedToService": [
            "ecs-tasks.amazonaws.com",
            "lambda.amazonaws.com",
            "codedeploy.amazonaws.com",
          ],
        },
      },
    });
  });

  it("declares each stack's boundary under its path, where the deploy role expects it", () => {
    for (const stack of ["dev", "prod"]) {
      const boundary = one("aws:iam/policy:Policy", `github-boundary-${stack}`);
      expect(boundary.inputs).toMatchObject({
        name: `picus-${stack}-workload-boundary`,
        path: `/picus/${stack}/`,
      });
      const deploy = policyOf(
        one("aws:iam/rolePolicy:RolePolicy", `github-deploy-${stack}-policy`),
        "policy",
      );
      expect(JSON.stringify(deploy)).toContain(
        `arn:aws:iam::${ACCOUNT}:policy/picus/${stack}/picus-${stack}-workload-boundary`,
      );
    }
  });

  it("tags every bootstrap resource that takes tags, and denies the deploy roles all of them", () => {
    for (const type of [
      "aws:iam/role:Role",
      "aws:iam/policy:Policy",
      "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
      "aws:kms/key:Key",
      "aws:s3/bucket:Bucket",
    ]) {
      for (const resource of resources(type)) {
        expect(resource.inputs.tags).toEqual({ project: "picus", "managed-by": "picus-bootstrap" });
      }
    }
    const dev = policyOf(
      one("aws:iam/rolePolicy:RolePolicy", "github-deploy-dev-policy"),
      "policy",
    );
    const denied = asList(
      dev.Statement.find((statement) => statement.Sid === "KeepOffTheBootstrap")?.Resource,
    );
    expect(denied).toEqual(
      expect.arrayContaining([
        ...resources("aws:iam/role:Role").map((role): unknown =>
          expect.stringContaining(role.name),
        ),
        expect.stringContaining("picus-pulumi-state-"),
        expect.stringContaining("state-key"),
      ]),
    );
  });

  it("gives the preview role read-only access except for its state locks", () => {
    const preview = policyOf(
      one("aws:iam/rolePolicy:RolePolicy", "github-preview-policy"),
      "policy",
    );
    const writes = allows(preview).filter((statement) =>
      asList(statement.Action).some(
        (action) => !/^[a-z0-9-]+:(Describe|Get|List)/.test(action) && !action.startsWith("kms:"),
      ),
    );

    for (const statement of writes) {
      expect(statement.Action).toEqual(["s3:PutObject", "s3:DeleteObject"]);
      expect(
        asList(statement.Resource).every((resource) => resource.includes("/.pulumi/locks/")),
      ).toBe(true);
    }
    expect(writes).toHaveLength(2);
  });

  it("lets a preview read the registry login the program asks for when it builds the image", () => {
    const preview = policyOf(
      one("aws:iam/rolePolicy:RolePolicy", "github-preview-policy"),
      "policy",
    );
    const login = allows(preview).filter((statement) =>
      asList(statement.Action).includes("ecr:GetAuthorizationToken"),
    );

    expect(login).toHaveLength(1);
    expect(login[0].Resource).toBe("*");
    expect(allows(preview).flatMap((statement) => asList(statement.Action))).not.toContain(
      "ecr:BatchGetImage",
    );
  });
});

describe("state backend", () => {
  it("rotates the secrets key and keeps a deletion window", () => {
    const key = one("aws:kms/key:Key", "state-key");

    expect(key.inputs.enableKeyRotation).toBe(true);
    expect(key.inputs.deletionWindowInDays).toBe(30);
  });

  it("versions the bucket and encrypts it with the KMS key", () => {
    const [versioning] = resources("aws:s3/bucketVersioning:BucketVersioning");
    const [encryption] = resources(
      "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
    );

    expect(versioning.inputs.versioningConfiguration).toEqual({ status: "Enabled" });
    expect(encryption.inputs.rules).toEqual([
      {
        applyServerSideEncryptionByDefault: {
          sseAlgorithm: "aws:kms",
          kmsMasterKeyId: expect.stringContaining("state-key"),
        },
        bucketKeyEnabled: true,
      },
    ]);
  });

  it("blocks every form of public access and disables ACLs", () => {
    const [block] = resources("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock");
    const [ownership] = resources("aws:s3/bucketOwnershipControls:BucketOwnershipControls");

    expect(block.inputs).toMatchObject({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    expect(ownership.inputs.rule).toEqual({ objectOwnership: "BucketOwnerEnforced" });
  });

  it("refuses plain-HTTP access to the bucket", () => {
    const [policy] = resources("aws:s3/bucketPolicy:BucketPolicy");

    expect(policyOf(policy, "policy").Statement).toContainEqual(
      expect.objectContaining({
        Effect: "Deny",
        Action: "s3:*",
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      }),
    );
  });

  it("bounds the history of state versions", () => {
    const [lifecycle] = resources(
      "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
    );

    expect(lifecycle.inputs.rules).toEqual([
      expect.objectContaining({
        status: "Enabled",
        noncurrentVersionExpiration: { noncurrentDays: 90 },
      }),
    ]);
  });
});
