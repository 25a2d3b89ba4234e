import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import { SCOPES, type Scope } from "../../lib/routes";
import type { StackSettings } from "../config";
import { stackPrefix } from "../naming";

/**
 * `apiClients`: one app client per consumer (the pipeline's `smoke` client is added with every
 * scope); `domainPrefix` unset: `<project>-<stack>-<first 8 hex of SHA-256(account ID)>`.
 */
export interface IdentityArgs extends Readonly<StackSettings["identity"]> {
  region: string;
  accountId: pulumi.Input<string>;
  deletionProtection: boolean;
}

export type ClientCredentials = { clientId: string; clientSecret: string };

/** The resource server's identifier, as the scopes name it (`picus/read` → `picus`). */
const RESOURCE_SERVER = SCOPES.read.split("/")[0];

/**
 * Who may call the API: a Cognito user pool that holds app clients only (nobody signs up), its
 * token endpoint's domain, the resource server `picus` with the read/write/delete scopes, and one
 * client-credentials app client per consumer plus the smoke test's.
 */
export class Identity extends pulumi.ComponentResource {
  /** `https://cognito-idp.<region>.amazonaws.com/<pool id>`: access tokens' `iss`. */
  public readonly issuer: pulumi.Output<string>;
  public readonly jwksUri: pulumi.Output<string>;
  public readonly tokenUrl: pulumi.Output<string>;
  /** Every app client whose access tokens the API accepts. */
  public readonly clientIds: pulumi.Output<string[]>;
  public readonly smokeClientId: pulumi.Output<string>;
  public readonly smokeClientSecret: pulumi.Output<string>;
  /** By consumer name, as a secret. */
  public readonly apiClientCredentials: pulumi.Output<Record<string, ClientCredentials>>;

  constructor(name: string, args: IdentityArgs, opts?: pulumi.ComponentResourceOptions) {
    super("picus:identity:Identity", name, {}, opts);

    const pool = new aws.cognito.UserPool(
      `${name}-pool`,
      {
        adminCreateUserConfig: { allowAdminCreateUserOnly: true },
        deletionProtection: args.deletionProtection ? "ACTIVE" : "INACTIVE",
      },
      { parent: this },
    );
    const prefix =
      args.domainPrefix ??
      pulumi.output(args.accountId).apply((account) => {
        const suffix = createHash("sha256").update(account).digest("hex").slice(0, 8);
        return `${stackPrefix()}-${suffix}`;
      });
    const domain = new aws.cognito.UserPoolDomain(
      `${name}-domain`,
      { domain: prefix, userPoolId: pool.id },
      { parent: this },
    );
    const server = new aws.cognito.ResourceServer(
      `${name}-api`,
      {
        userPoolId: pool.id,
        identifier: RESOURCE_SERVER,
        name: RESOURCE_SERVER,
        scopes: Object.values(SCOPES).map((scope) => ({
          scopeName: scope.slice(RESOURCE_SERVER.length + 1),
          scopeDescription: `The ${scope} routes`,
        })),
      },
      { parent: this },
    );

    const client = (clientName: string, scopes: readonly Scope[]) =>
      new aws.cognito.UserPoolClient(
        `${name}-client-${clientName}`,
        {
          name: clientName,
          userPoolId: pool.id,
          generateSecret: true,
          allowedOauthFlows: ["client_credentials"],
          allowedOauthFlowsUserPoolClient: true,
          allowedOauthScopes: [...scopes],
          supportedIdentityProviders: ["COGNITO"],
          explicitAuthFlows: ["ALLOW_REFRESH_TOKEN_AUTH"],
          accessTokenValidity: args.accessTokenMinutes,
          tokenValidityUnits: { accessToken: "minutes" },
        },
        // The scopes must exist on the resource server before a client may name them.
        { parent: this, dependsOn: [server] },
      );
    const smoke = client("smoke", Object.values(SCOPES));
    const consumers = args.apiClients.map(
      (consumer) => [consumer.name, client(consumer.name, consumer.scopes)] as const,
    );
    this.issuer = pulumi.interpolate`https://cognito-idp.${args.region}.amazonaws.com/${pool.id}`;
    this.jwksUri = pulumi.interpolate`${this.issuer}/.well-known/jwks.json`;
    this.tokenUrl = pulumi.interpolate`https://${domain.domain}.auth.${args.region}.amazoncognito.com/oauth2/token`;
    this.clientIds = pulumi.all([smoke, ...consumers.map(([, c]) => c)].map((c) => c.id));
    this.smokeClientId = smoke.id;
    this.smokeClientSecret = pulumi.secret(smoke.clientSecret);
    const byName = consumers.map(
      ([consumer, c]) => [consumer, { clientId: c.id, clientSecret: c.clientSecret }] as const,
    );
    this.apiClientCredentials = pulumi.secret(pulumi.output(Object.fromEntries(byName)));
    this.registerOutputs({ issuer: this.issuer, tokenUrl: this.tokenUrl });
  }

  /** What the service and the function read to verify tokens (lib/config.ts authEnvironment). */
  environment(): Record<string, pulumi.Output<string>> {
    return {
      AUTH_ISSUER: this.issuer,
      AUTH_CLIENT_IDS: this.clientIds.apply((ids) => ids.join(",")),
    };
  }
}
