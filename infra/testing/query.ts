import type { DeclaredResource, StackRun } from "./run-stack";

export function ofType(run: StackRun, type: string): DeclaredResource[] {
  return run.resources.filter((resource) => resource.type === type);
}

export function named(run: StackRun, type: string, name: string): DeclaredResource {
  const found = run.resources.find((resource) => resource.type === type && resource.name === name);
  if (!found) throw new Error(`no ${type} named ${name}`);
  return found;
}

export function byUrn(run: StackRun, urn: string): DeclaredResource {
  const found = run.resources.find((resource) => resource.urn === urn);
  if (!found) throw new Error(`no resource ${urn}`);
  return found;
}

export interface PolicyStatement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: string | string[];
}

export function policyStatements(policy: unknown): PolicyStatement[] {
  const document = (typeof policy === "string" ? JSON.parse(policy) : policy) as {
    Statement: PolicyStatement | PolicyStatement[];
  };
  return Array.isArray(document.Statement) ? document.Statement : [document.Statement];
}

export function asList(value: string | string[]): string[] {
  return Array.isArray(value) ? value : [value];
}
