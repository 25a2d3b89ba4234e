import { PolicyPack } from "@pulumi/policy";
import { policies } from "./rules";

new PolicyPack("picus-security", { policies: policies() });
