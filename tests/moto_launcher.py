#!/usr/bin/env python3
"""Run moto 5.2.5's server on 127.0.0.1 with the patches c2cfn's tests need.

Usage: python tests/moto_launcher.py [--port N]   (0 or absent: pick a free port)
Prints exactly one stdout line, `C2CFN_MOTO_PORT=<port>`, once `GET /moto-api/`
answers; moto's own request log goes to stderr. Stop it with SIGTERM/SIGINT.
Gaps closed are listed in /work/shared/reference/aws-stand-in.md; each patch
below names the one it closes. Pinned to moto==5.2.5 (tests/requirements.txt).

Verified (moto 5.2.5, awscli 1.46.3): tests/fixtures/standin-smoke.yaml
(NLB+ALB, TCP/TLS/HTTP listeners, ForwardConfig, ECS, EFS, IAM, DynamoDB,
autoscaling, Redis, Cloud Map, Route 53 alias, Secret, Conditions) with the aws
CLI: ec2 describe-vpcs/describe-subnets (default VPC, 2 subnets), acm
request-certificate, route53 create-hosted-zone example.com, cloudformation
create-change-set CREATE -> CREATE_COMPLETE (32 changes), execute ->
CREATE_COMPLETE, listeners TCP/TLS on a `network` LB, HTTP on `application`;
alias records carry DNSName + zone id; UPDATE change set (ImageTag=v2,
EnableCache=false) -> Modify TaskDefinition, execute -> UPDATE_COMPLETE;
delete-stack -> DELETE_COMPLETE, table retained. Unpatched moto fails the
execute with HTTP 500 KeyError 'TargetGroupArn'.
"""
import argparse
import os
import re
import socket
import sys
import threading
import time
import urllib.request

HOST = "127.0.0.1"  # never bind or talk to anything else


def patch_moto() -> None:
    from moto.cloudformation import models as cfn_models
    from moto.cloudformation import parsing
    from moto.ecs import models as ecs
    from moto.elbv2 import models as elbv2

    # (a) ELBv2 LoadBalancer from CloudFormation ignores Properties.Type, so every
    # LB became an ALB and NLB listeners (TCP/TLS/UDP) were refused. Pass Type
    # (and SubnetMappings/IpAddressType) through to the backend.
    def lb_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = cloudformation_json["Properties"]
        return elbv2.elbv2_backends[account_id][region_name].create_load_balancer(
            resource_name,
            props.get("SecurityGroups") or [],
            props.get("Subnets") or [],
            subnet_mappings=props.get("SubnetMappings"),
            scheme=props.get("Scheme", "internet-facing"),
            loadbalancer_type=props.get("Type"),
            ip_address_type=props.get("IpAddressType", "ipv4"),
        )

    elbv2.FakeLoadBalancer.create_from_cloudformation_json = classmethod(lb_create)

    # (d) GetAtt LoadBalancer.CanonicalHostedZoneID/LoadBalancerFullName/
    # SecurityGroups raised NotImplementedError: the value stayed an unresolved
    # {"Fn::GetAtt": ...} dict (e.g. inside a Route 53 AliasTarget). Answer them
    # with what describe-load-balancers reports.
    lb_getatt = elbv2.FakeLoadBalancer.get_cfn_attribute

    def lb_get_cfn_attribute(self, attribute_name):
        if attribute_name == "CanonicalHostedZoneID":
            return self.canonical_hosted_zone_id
        if attribute_name == "LoadBalancerFullName":
            return self.arn.split(":loadbalancer/", 1)[1]
        if attribute_name == "SecurityGroups":
            return list(self.security_groups or [])
        return lb_getatt(self, attribute_name)

    elbv2.FakeLoadBalancer.get_cfn_attribute = lb_get_cfn_attribute

    # (c) Listener DefaultActions of the form ForwardConfig.TargetGroups crashed
    # (HTTP 500, KeyError 'TargetGroupArn'). Map a single-target ForwardConfig to
    # the equivalent TargetGroupArn form before moto validates the properties.
    convert_props = elbv2.ELBv2Backend.convert_and_validate_properties

    def convert_and_validate_properties(self, properties):
        for action in properties.get("DefaultActions") or []:
            groups = (action.get("ForwardConfig") or {}).get("TargetGroups") or []
            if action.get("Type") == "forward" and "TargetGroupArn" not in action and len(groups) == 1:
                action["TargetGroupArn"] = groups[0]["TargetGroupArn"]
        return convert_props(self, properties)

    elbv2.ELBv2Backend.convert_and_validate_properties = convert_and_validate_properties

    # (b) Resource types without a moto CloudFormation model (ElastiCache
    # ReplicationGroup/SubnetGroup, ApplicationAutoScaling ScalableTarget/
    # ScalingPolicy, ServiceDiscovery Service/PrivateDnsNamespace,
    # SecretsManager::Secret, ...) were skipped: Ref gave nothing, any
    # Fn::GetAtt on them failed the execute ("references undefined resource"),
    # an Output on them crashed, and list-stack-resources showed empty entries.
    # They now become a stand-in object that creates nothing in moto but answers
    # deterministically:
    #   Ref                 -> "placeholder-<LogicalId>"
    #   GetAtt X.<...>Port  -> "6379" (numeric string; the only skipped type with
    #                          port attributes is ElastiCache, Redis's default)
    #   GetAtt X.<Attr>     -> "placeholder-<LogicalId>-<Attr>"
    # Update returns the same stand-in; delete is a no-op.
    class Placeholder:
        def __init__(self, logical_id: str, resource_type: str):
            self.logical_resource_id = logical_id
            self.cf_resource_type = resource_type
            self.physical_resource_id = f"placeholder-{logical_id}"

        @classmethod
        def has_cfn_attr(cls, attr: str) -> bool:
            return True

        def get_cfn_attribute(self, attr: str) -> str:
            if attr.endswith("Port"):
                return "6379"
            return f"placeholder-{self.logical_resource_id}-{attr}"

        @classmethod
        def create_from_cloudformation_json(cls, resource_name, cloudformation_json,
                                            account_id, region_name, **kwargs):
            return cls(kwargs["LogicalId"], kwargs["ResourceType"])

        @classmethod
        def update_from_cloudformation_json(cls, original_resource, new_resource_name,
                                            cloudformation_json, account_id, region_name):
            return original_resource

        @classmethod
        def delete_from_cloudformation_json(cls, resource_name, cloudformation_json,
                                            account_id, region_name):
            pass

        def delete(self, account_id: str, region_name: str) -> None:
            pass

        def is_created(self) -> bool:
            return True

    class_for_type = parsing.resource_class_from_type

    def resource_class_from_type(resource_type):
        model = class_for_type(resource_type)
        if model is None and resource_type not in parsing.NULL_MODELS:
            return Placeholder
        return model

    # parsing's functions look these names up in the module globals at call time.
    parsing.resource_class_from_type = resource_class_from_type

    # (d) An attribute with a dot (`!GetAtt Redis.PrimaryEndPoint.Address`, or
    # `${Redis.PrimaryEndPoint.Address}` in Fn::Sub) was split at every dot and
    # only "PrimaryEndPoint" was asked for. Like AWS, the attribute is everything
    # after the first dot.
    clean = parsing.clean_json

    def clean_json(resource_json, resources_map):
        getatt = resource_json.get("Fn::GetAtt") if isinstance(resource_json, dict) else None
        if isinstance(getatt, list) and len(getatt) > 2 and all(isinstance(x, str) for x in getatt):
            resource_json = {**resource_json, "Fn::GetAtt": [getatt[0], ".".join(getatt[1:])]}
        return clean(resource_json, resources_map)

    parsing.clean_json = clean_json

    # (d) A parameter used only inside Fn::Sub (`image:${ImageTag}`) was not seen
    # as a reference: changing it left the resource unmodified on UPDATE.
    def references(node):
        if isinstance(node, list):
            return [ref for item in node for ref in references(item)]
        if not isinstance(node, dict):
            return []
        found = []
        for key, value in node.items():
            if key == "Ref":
                found.append(value)
                continue
            if key == "Fn::Sub":
                text = value[0] if isinstance(value, list) else value
                if isinstance(text, str):
                    found += [v.split(".")[0] for v in re.findall(r"\$\{([^!}][^}]*)\}", text)]
            found += references(value)
        return found

    parsing.get_references_from_template = references

    # (d) An UPDATE change set whose only change is a parameter listed no
    # Changes (moto diffed templates only); the execute did apply them. Diff
    # with the parameters, as the execute does.
    def change_set_diff(self):
        resource_map = self.stack.resource_map
        actions = resource_map.build_resource_diff(self.template_dict, self.parameters)
        old, new = resource_map._resource_json_map, self.template_dict["Resources"]
        return [
            cfn_models.Change(action, name, (old if action == "Remove" else new)[name]["Type"])
            for action, names in actions.items()
            for name in names
        ]

    cfn_models.ChangeSet.diff = change_set_diff

    # (d) A stack made through change sets never got its Outputs (nor
    # Description, nor Exports): they were computed from the empty template of
    # REVIEW_IN_PROGRESS. Recompute them after every execute.
    execute = cfn_models.CloudFormationBackend.execute_change_set

    def execute_change_set(self, change_set_name, stack_name=None):
        execute(self, change_set_name, stack_name)
        stack = self.stacks[self.describe_change_set(change_set_name).stack_id]
        stack._parse_template()
        stack.description = stack.template_dict.get("Description")
        stack.output_map = stack._create_output_map()
        for export in stack.exports:
            self.exports[export.name] = export
        stack.parameters = self.describe_change_set(change_set_name).parameters

    cfn_models.CloudFormationBackend.execute_change_set = execute_change_set

    # (d) ECS TaskDefinition: an update re-registered the raw PascalCase
    # ContainerDefinitions (image/environment came back empty), and create
    # dropped Cpu/NetworkMode/RequiresCompatibilities/role ARNs.
    def td_create(cls, resource_name, cloudformation_json, account_id, region_name, **kwargs):
        props = cloudformation_json["Properties"]
        camel = lambda key: ecs.remap_nested_keys(props.get(key) or [], ecs.pascal_to_camelcase)
        return ecs.ecs_backends[account_id][region_name].register_task_definition(
            family=props.get("Family") or resource_name,
            container_definitions=camel("ContainerDefinitions"),
            volumes=camel("Volumes"),
            network_mode=props.get("NetworkMode"),
            requires_compatibilities=props.get("RequiresCompatibilities"),
            cpu=props.get("Cpu"),
            memory=props.get("Memory"),
            task_role_arn=props.get("TaskRoleArn"),
            execution_role_arn=props.get("ExecutionRoleArn"),
        )

    def td_update(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        ecs.ecs_backends[account_id][region_name].deregister_task_definition(original_resource.arn)
        return td_create(cls, new_resource_name, cloudformation_json, account_id, region_name)

    ecs.TaskDefinition.create_from_cloudformation_json = classmethod(td_create)
    ecs.TaskDefinition.update_from_cloudformation_json = classmethod(td_update)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def announce_when_ready(port: int, timeout: float = 60.0) -> None:
    # No proxies: readiness must only ever ask 127.0.0.1, whatever *_proxy says.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with opener.open(f"http://{HOST}:{port}/moto-api/", timeout=2) as resp:
                if resp.status == 200:
                    print(f"C2CFN_MOTO_PORT={port}", flush=True)
                    return
        except OSError:
            pass
        time.sleep(0.1)
    print(f"moto_launcher: server on {HOST}:{port} not ready after {timeout}s", file=sys.stderr)
    os._exit(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: a free one)")
    args = parser.parse_args()
    port = args.port or free_port()
    patch_moto()
    from moto.server import main as moto_main

    threading.Thread(target=announce_when_ready, args=(port,), daemon=True).start()
    moto_main(["-H", HOST, "-p", str(port)])


if __name__ == "__main__":
    main()
