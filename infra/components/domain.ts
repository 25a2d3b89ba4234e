import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** The API's own name, in a Route 53 hosted zone of this account. */
export interface DomainArgs {
  name: string;
  hostedZoneId: string;
}

/**
 * An ACM certificate for the domain, validated through a DNS record in its hosted zone; resolves
 * once ACM has issued it. A zone that does not exist, or does not hold the name, fails the preview.
 */
export function validatedCertificate(
  name: string,
  domain: DomainArgs,
  parent: pulumi.Resource,
): pulumi.Output<string> {
  const zone = aws.route53.getZoneOutput({ zoneId: domain.hostedZoneId }, { parent });
  const domainName = zone.name.apply((zoneName) => {
    const apex = zoneName.replace(/\.$/, "");
    if (domain.name !== apex && !domain.name.endsWith(`.${apex}`)) {
      throw new Error(`picus:domainName ${domain.name} is not in hosted zone ${apex}`);
    }
    return domain.name;
  });
  const certificate = new aws.acm.Certificate(
    name,
    { domainName, validationMethod: "DNS" },
    { parent },
  );
  const option = certificate.domainValidationOptions[0];
  const record = new aws.route53.Record(
    `${name}-validation`,
    {
      zoneId: domain.hostedZoneId,
      name: option.resourceRecordName,
      type: option.resourceRecordType,
      records: [option.resourceRecordValue],
      ttl: 300,
      // A replacement certificate for the same name asks for the same record.
      allowOverwrite: true,
    },
    { parent },
  );
  return new aws.acm.CertificateValidation(
    `${name}-validated`,
    { certificateArn: certificate.arn, validationRecordFqdns: [record.fqdn] },
    { parent },
  ).certificateArn;
}

/** `domain` → the load balancer, as a Route 53 alias (an A record: the ALB is IPv4 only). */
export function aliasRecord(
  name: string,
  domain: DomainArgs,
  loadBalancer: aws.lb.LoadBalancer,
  parent: pulumi.Resource,
): aws.route53.Record {
  return new aws.route53.Record(
    name,
    {
      zoneId: domain.hostedZoneId,
      name: domain.name,
      type: "A",
      aliases: [
        { name: loadBalancer.dnsName, zoneId: loadBalancer.zoneId, evaluateTargetHealth: true },
      ],
    },
    { parent },
  );
}
