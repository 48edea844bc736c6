#!/usr/bin/env python3
"""Run moto 5.2.5's server on 127.0.0.1 with the patches c2cfn's tests need.

Usage: python tests/moto_launcher.py [--port N] [--slow SECONDS] [--acm-validation-wait SECONDS]
(port absent or 0: a free one)
Prints one stdout line, `C2CFN_MOTO_PORT=<port>`, once `GET /moto-api/` answers;
moto's request log goes to stderr. SIGTERM/SIGINT stop it. Each patch names the
gap it closes (see shared/reference/aws-stand-in.md); pinned moto==5.2.5.

Verified (awscli 1.46.3, `aws --endpoint-url http://127.0.0.1:PORT`, region
us-east-1), tests/fixtures/standin-smoke.yaml as YAML and as JSON:
  ec2 describe-vpcs / describe-subnets (default VPC, 2 subnet ids);
  acm request-certificate --domain-name '*.example.com';
  route53 create-hosted-zone --name example.com;
  cloudformation create-change-set --change-set-type CREATE (32 changes),
  execute-change-set -> CREATE_COMPLETE: LBs `network` + `application`,
  listeners TCP+TLS / HTTP, aliases carry DNSName + zone id, Outputs incl.
  the Redis endpoint; UPDATE (ImageTag=v2, EnableCache=false) -> Modify
  TaskDefinition -> UPDATE_COMPLETE, revision 2 runs :v2; same UPDATE again ->
  change set FAILED "didn't contain changes"; delete-stack -> gone, table kept.
Unpatched moto: the execute fails, HTTP 500 KeyError 'TargetGroupArn'.
"""
import argparse
import os
import re
import socket
import sys
import threading
import time
import urllib.request

HOST = "127.0.0.1"  # never bind to, nor talk to, anything else
BACKED = {}  # CloudFormation type -> the launcher's model class (patch_backed_types)


def patch_moto() -> None:
    import yaml
    from moto.cloudformation import models as cfn, parsing, responses
    from moto.ecs import models as ecs
    from moto.elbv2 import models as elbv2

    # (a) LoadBalancer `Type` was ignored: every LB became an ALB and NLB
    # listeners (TCP/TLS/UDP) were refused. Pass Type (and SubnetMappings,
    # IpAddressType) to the backend.
    def lb_create(cls, name, cfn_json, account_id, region, **kwargs):
        props = cfn_json["Properties"]
        return elbv2.elbv2_backends[account_id][region].create_load_balancer(
            name, props.get("SecurityGroups") or [], props.get("Subnets") or [],
            subnet_mappings=props.get("SubnetMappings"),
            scheme=props.get("Scheme", "internet-facing"),
            loadbalancer_type=props.get("Type"),
            ip_address_type=props.get("IpAddressType", "ipv4"))

    elbv2.FakeLoadBalancer.create_from_cloudformation_json = classmethod(lb_create)

    # (d) GetAtt LoadBalancer.CanonicalHostedZoneID (and LoadBalancerFullName,
    # SecurityGroups) was not implemented: a Route 53 AliasTarget kept an
    # unresolved {"Fn::GetAtt": ...}. Answer what describe-load-balancers shows.
    lb_getatt = elbv2.FakeLoadBalancer.get_cfn_attribute

    def lb_get_cfn_attribute(self, attr):
        known = {"CanonicalHostedZoneID": self.canonical_hosted_zone_id,
                 "LoadBalancerFullName": self.arn.split(":loadbalancer/", 1)[1],
                 "SecurityGroups": list(self.security_groups or [])}
        return known[attr] if attr in known else lb_getatt(self, attr)

    elbv2.FakeLoadBalancer.get_cfn_attribute = lb_get_cfn_attribute

    # (c) Listener DefaultActions with ForwardConfig.TargetGroups crashed (HTTP
    # 500, KeyError 'TargetGroupArn'). A single-target ForwardConfig is mapped to
    # the equivalent TargetGroupArn form before moto validates the properties.
    convert = elbv2.ELBv2Backend.convert_and_validate_properties

    def convert_and_validate_properties(self, properties):
        for action in properties.get("DefaultActions") or []:
            groups = (action.get("ForwardConfig") or {}).get("TargetGroups") or []
            if action.get("Type") == "forward" and "TargetGroupArn" not in action and len(groups) == 1:
                action["TargetGroupArn"] = groups[0]["TargetGroupArn"]
        return convert(self, properties)

    elbv2.ELBv2Backend.convert_and_validate_properties = convert_and_validate_properties

    # (d) Dotted attributes (PrimaryEndPoint.Address) were split at every dot, so
    # only "PrimaryEndPoint" was asked for, and `!GetAtt [A, B]` kept raw YAML
    # nodes. Like AWS: the attribute is all after the first dot, in YAML short
    # form, long form and `${A.B.C}` inside Fn::Sub.
    yaml_ctor = cfn.yaml_tag_constructor

    def yaml_tag_constructor(loader, tag, node):
        if tag != "!GetAtt":
            return yaml_ctor(loader, tag, node)
        if isinstance(node, yaml.SequenceNode):
            return {"Fn::GetAtt": loader.construct_sequence(node)}
        return {"Fn::GetAtt": node.value.split(".", 1)}

    cfn.yaml_tag_constructor = responses.yaml_tag_constructor = yaml_tag_constructor
    clean = parsing.clean_json

    def clean_json(value, resources_map):
        getatt = value.get("Fn::GetAtt") if isinstance(value, dict) else None
        if isinstance(getatt, list) and len(getatt) > 2 and all(isinstance(x, str) for x in getatt):
            value = {**value, "Fn::GetAtt": [getatt[0], ".".join(getatt[1:])]}
        return clean(value, resources_map)

    parsing.clean_json = clean_json

    # (d) A parameter used only in Fn::Sub (`game:${ImageTag}`) did not count as
    # a reference: changing it left the resource untouched on UPDATE.
    def references(node):
        if isinstance(node, list):
            return [ref for item in node for ref in references(item)]
        found = []
        for key, value in (node.items() if isinstance(node, dict) else ()):
            if key == "Ref":
                found.append(value)
                continue
            text = value[0] if key == "Fn::Sub" and isinstance(value, list) else value
            if key == "Fn::Sub" and isinstance(text, str):
                found += [v.split(".")[0] for v in re.findall(r"\$\{([^!}][^}]*)\}", text)]
            found += references(value)
        return found

    parsing.get_references_from_template = references

    # (d) An UPDATE change set that only changes parameters listed no Changes
    # (moto diffed the templates only) though its execute applied them. Diff
    # with the parameters too, as the execute does.
    def change_set_diff(self):
        rmap = self.stack.resource_map
        old, new = rmap._resource_json_map, self.template_dict["Resources"]
        return [cfn.Change(action, name, (old if action == "Remove" else new)[name]["Type"])
                for action, names in rmap.build_resource_diff(self.template_dict, self.parameters).items()
                for name in names]

    cfn.ChangeSet.diff = change_set_diff

    # (d) A stack made through change sets never got Outputs, Description or
    # Exports (they came from the empty REVIEW_IN_PROGRESS template), and kept
    # its first parameters, so an unchanged UPDATE was not seen as "no changes".
    execute = cfn.CloudFormationBackend.execute_change_set

    def execute_change_set(self, change_set_name, stack_name=None):
        execute(self, change_set_name, stack_name)
        change_set = self.describe_change_set(change_set_name)
        stack = self.stacks[change_set.stack_id]
        stack._parse_template()
        stack.description = stack.template_dict.get("Description")
        stack.output_map = stack._create_output_map()
        self.exports.update({export.name: export for export in stack.exports})
        stack.parameters = change_set.parameters

    cfn.CloudFormationBackend.execute_change_set = execute_change_set

    # (d) ECS TaskDefinition: an update re-registered the raw PascalCase
    # ContainerDefinitions (image and environment came back empty), and create
    # dropped Cpu, NetworkMode, RequiresCompatibilities and the role ARNs.
    def td_create(cls, name, cfn_json, account_id, region, **kwargs):
        props = cfn_json["Properties"]
        camel = lambda key: ecs.remap_nested_keys(props.get(key) or [], ecs.pascal_to_camelcase)
        return ecs.ecs_backends[account_id][region].register_task_definition(
            family=props.get("Family") or name,
            container_definitions=camel("ContainerDefinitions"), volumes=camel("Volumes"),
            network_mode=props.get("NetworkMode"),
            requires_compatibilities=props.get("RequiresCompatibilities"),
            cpu=props.get("Cpu"), memory=props.get("Memory"),
            task_role_arn=props.get("TaskRoleArn"),
            execution_role_arn=props.get("ExecutionRoleArn"))

    def td_update(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        ecs.ecs_backends[account_id][region_name].deregister_task_definition(original_resource.arn)
        return td_create(cls, new_resource_name, cloudformation_json, account_id, region_name)

    ecs.TaskDefinition.create_from_cloudformation_json = classmethod(td_create)
    ecs.TaskDefinition.update_from_cloudformation_json = classmethod(td_update)

    # (d) ECS Service: NetworkConfiguration was dropped, so describe-services
    # showed no security groups and the Redis-ingress test could not see which
    # services joined the Redis client group. It is now kept (and validated:
    # unknown subnets fail, as in AWS) on create and update.
    def with_network(original):
        def wrapped(cls, *args, **kwargs):
            cfn_json = kwargs.get("cloudformation_json") or args[1]
            service = original.__func__(cls, *args, **kwargs)
            net = (cfn_json.get("Properties") or {}).get("NetworkConfiguration")
            if net:
                service.network_configuration = service._validate_network(
                    ecs.remap_nested_keys(net, ecs.pascal_to_camelcase))
            return service
        return classmethod(wrapped)

    ecs.Service.create_from_cloudformation_json = with_network(ecs.Service.create_from_cloudformation_json)
    ecs.Service.update_from_cloudformation_json = with_network(ecs.Service.update_from_cloudformation_json)

    patch_backed_types()
    patch_unknown_types()
    patch_operate()
    patch_import()


def patch_backed_types() -> None:
    """(b) Types moto has a backend for but no CloudFormation model: they used
    to become a blanket no-op that "succeeded" without creating anything. Each
    type c2cfn emits is now created, updated and deleted through moto's own
    backend, so `describe-replication-groups`, `describe-scalable-targets`,
    Cloud Map `list-services` and Secrets Manager show what the template
    declared, and Ref/GetAtt answer from the created object as AWS does
    (Redis `PrimaryEndPoint.Address` is the group's real endpoint). An
    attribute AWS does not have fails the execute, as AWS does."""
    from moto.applicationautoscaling.models import applicationautoscaling_backends
    from moto.cloudformation import models as cfn_models, parsing
    from moto.cloudformation.exceptions import UnformattedGetAttTemplateException
    from moto.core.common_models import CloudFormationModel
    from moto.elasticache.models import elasticache_backends
    from moto.secretsmanager.models import secretsmanager_backends
    from moto.servicediscovery.models import servicediscovery_backends

    TRACKED = "moto.cloudformation.c2cfn_launcher"

    class Backed:
        """Shared CloudFormation plumbing. A subclass names its TYPE, the
        property naming it (NAME), `create(props, name, account, region)`
        returning the backend object, `ref(obj)`, `attrs(obj)` (GetAtt
        name -> value), `remove(obj, account, region)`, and the properties
        whose change replaces it (REPLACING; other changes call `modify`)."""
        TYPE = NAME = ""
        REPLACING: tuple = ()

        def __init__(self, obj, props, account_id, region):
            self.obj, self.props, self.account_id, self.region = obj, props, account_id, region

        @classmethod
        def cloudformation_type(cls):
            return cls.TYPE

        @classmethod
        def cloudformation_name_type(cls):
            return cls.NAME

        @classmethod
        def has_cfn_attr(cls, attr):
            return True

        @property
        def physical_resource_id(self):
            return self.ref(self.obj)

        def is_created(self):
            return True

        def get_cfn_attribute(self, attr):
            values = self.attrs(self.obj)
            if attr not in values:
                raise UnformattedGetAttTemplateException()
            return values[attr]

        def delete(self, account_id, region):
            self.remove(self.obj, account_id, region)

        @classmethod
        def create_from_cloudformation_json(cls, name, cfn_json, account_id, region, **kwargs):
            props = cfn_json.get("Properties") or {}
            return cls(cls.create(props, name, account_id, region), props, account_id, region)

        @classmethod
        def update_from_cloudformation_json(cls, original_resource, new_resource_name, cloudformation_json,
                                            account_id, region_name):
            props = cloudformation_json.get("Properties") or {}
            if any(props.get(k) != original_resource.props.get(k) for k in cls.REPLACING):
                if cls.NAME and props.get(cls.NAME) and props.get(cls.NAME) == original_resource.props.get(cls.NAME):
                    # As AWS: a replacement would take the same custom name.
                    raise cfn_models.ValidationError(message=(
                        "CloudFormation cannot update a stack when a custom-named resource requires "
                        f"replacing. Rename {props.get(cls.NAME)} and update the stack again."))
                # CloudFormation creates the replacement, then deletes the old one.
                new = cls.create_from_cloudformation_json(new_resource_name, cloudformation_json,
                                                          account_id, region_name)
                original_resource.delete(account_id, region_name)
                return new
            original_resource.modify(props)
            original_resource.props = props
            return original_resource

        @classmethod
        def delete_from_cloudformation_json(cls, resource_name, cloudformation_json, account_id, region_name):
            return None  # instances are deleted through `delete`

        def modify(self, props):
            pass

    def as_bool(value):
        return value is True or str(value).lower() == "true"

    def tag_list(props):
        return [{"Key": t["Key"], "Value": t["Value"]} for t in props.get("Tags") or []]

    # ElastiCache: AWS::ElastiCache::SubnetGroup and ::ReplicationGroup.
    def cache(account_id, region):
        return elasticache_backends[account_id][region]

    class CacheSubnetGroup(Backed, CloudFormationModel):
        __module__ = TRACKED  # moto's model registry files models by module
        TYPE, NAME, REPLACING = "AWS::ElastiCache::SubnetGroup", "CacheSubnetGroupName", ("CacheSubnetGroupName",)

        @staticmethod
        def create(props, name, account_id, region):
            # AWS lower-cases subnet group names, generated or given.
            return cache(account_id, region).create_cache_subnet_group(
                name.lower(), props.get("Description", ""), props.get("SubnetIds") or [], tag_list(props))

        def ref(self, obj):
            return obj.cache_subnet_group_name

        def attrs(self, obj):
            return {}

        def modify(self, props):
            self.obj.cache_subnet_group_description = props.get("Description", "")
            self.obj.subnet_ids = props.get("SubnetIds") or []

        def remove(self, obj, account_id, region):
            cache(account_id, region).cache_subnet_groups.pop(obj.cache_subnet_group_name, None)

    class ReplicationGroup(Backed, CloudFormationModel):
        __module__ = TRACKED  # moto's model registry files models by module
        TYPE, NAME = "AWS::ElastiCache::ReplicationGroup", "ReplicationGroupId"
        REPLACING = ("ReplicationGroupId", "Engine", "CacheSubnetGroupName", "AtRestEncryptionEnabled",
                     "KmsKeyId", "Port", "SnapshotArns", "SnapshotName")

        @staticmethod
        def create(props, name, account_id, region):
            backend = cache(account_id, region)
            subnet_group = props.get("CacheSubnetGroupName")
            if subnet_group and subnet_group not in backend.cache_subnet_groups:
                raise ValueError(f"CacheSubnetGroupNotFoundFault: {subnet_group}")
            get = props.get
            # moto 5.2.5 ignores NumCacheClusters without cluster mode (one
            # node); AWS's equivalent is a primary plus N-1 replicas.
            replicas = get("ReplicasPerNodeGroup")
            if replicas is None and get("NumCacheClusters"):
                replicas = int(get("NumCacheClusters")) - 1
            return backend.create_replication_group(
                replication_group_id=name.lower(),
                replication_group_description=get("ReplicationGroupDescription", ""),
                global_replication_group_id=get("GlobalReplicationGroupId"),
                primary_cluster_id=get("PrimaryClusterId"),
                automatic_failover_enabled=as_bool(get("AutomaticFailoverEnabled")),
                multi_az_enabled=as_bool(get("MultiAZEnabled")),
                num_cache_clusters=int(get("NumCacheClusters") or 1),
                preferred_cache_cluster_azs=get("PreferredCacheClusterAZs") or [],
                num_node_groups=int(get("NumNodeGroups") or 1),
                replicas_per_node_group=int(replicas or 0),
                node_group_configuration=get("NodeGroupConfiguration") or [],
                cache_node_type=get("CacheNodeType"),
                engine=get("Engine"),
                engine_version=get("EngineVersion"),
                cache_parameter_group_name=get("CacheParameterGroupName"),
                cache_subnet_group_name=subnet_group,
                cache_security_group_names=get("CacheSecurityGroupNames") or [],
                security_group_ids=get("SecurityGroupIds") or [],
                tags=tag_list(props),
                snapshot_arns=get("SnapshotArns") or [],
                snapshot_name=get("SnapshotName"),
                preferred_maintenance_window=get("PreferredMaintenanceWindow"),
                port=int(get("Port") or 6379),
                notification_topic_arn=get("NotificationTopicArn"),
                auto_minor_version_upgrade=get("AutoMinorVersionUpgrade"),
                snapshot_retention_limit=int(get("SnapshotRetentionLimit") or 0),
                snapshot_window=get("SnapshotWindow"),
                auth_token=get("AuthToken"),
                transit_encryption_enabled=as_bool(get("TransitEncryptionEnabled")),
                at_rest_encryption_enabled=as_bool(get("AtRestEncryptionEnabled")),
                kms_key_id=get("KmsKeyId"),
                user_group_ids=get("UserGroupIds") or [],
                log_delivery_configurations=get("LogDeliveryConfigurations") or [],
                data_tiering_enabled=as_bool(get("DataTieringEnabled")),
                network_type=get("NetworkType"),
                ip_discovery=get("IpDiscovery"),
                transit_encryption_mode=get("TransitEncryptionMode"),
                cluster_mode=get("ClusterMode"),
                serverless_cache_snapshot_name=None,
            )

        def ref(self, obj):
            return obj.replication_group_id

        def attrs(self, obj):
            group = obj.node_groups[0]
            port = str(obj.port)
            out = {"ReadEndPoint.Ports": port, "ReadEndPoint.Ports.List": [port]}
            if "primary_endpoint_address" in group:
                readers = [m["read_endpoint"]["address"] for m in group.get("node_group_members", [])
                           if "read_endpoint" in m] or [group["reader_endpoint_address"]]
                out.update({
                    "PrimaryEndPoint.Address": group["primary_endpoint_address"],
                    "PrimaryEndPoint.Port": port,
                    "ReaderEndPoint.Address": group["reader_endpoint_address"],
                    "ReaderEndPoint.Port": port,
                    "ReadEndPoint.Addresses": ",".join(readers),
                    "ReadEndPoint.Addresses.List": readers,
                })
            else:
                out.update({"ConfigurationEndPoint.Address": obj.configuration_endpoint["address"],
                            "ConfigurationEndPoint.Port": port})
            return out

        def modify(self, props):
            cache(self.account_id, self.region).modify_replication_group(
                self.obj.replication_group_id, props.get("ReplicationGroupDescription"), None,
                props.get("CacheNodeType"), as_bool(props.get("AutomaticFailoverEnabled")),
                as_bool(props.get("MultiAZEnabled")), int(props.get("SnapshotRetentionLimit") or 0))

        def remove(self, obj, account_id, region):
            cache(account_id, region).replication_groups.pop(obj.replication_group_id, None)

    BACKED[ReplicationGroup.TYPE] = ReplicationGroup

    # (j) A replication group had no member cache clusters (AWS lists each
    # node in DescribeCacheClusters, with the engine version, subnet group and
    # security groups that DescribeReplicationGroups does not show): each
    # member is now a cache cluster, whether the group came from the API (a
    # script's create-replication-group) or from CloudFormation.
    from moto.elasticache.models import CacheCluster, ElastiCacheBackend
    create_group = ElastiCacheBackend.create_replication_group

    def create_replication_group(self, *args, **kwargs):
        group = create_group(self, *args, **kwargs)
        for member in group.member_clusters:
            if member in self.cache_clusters:
                continue
            self.cache_clusters[member] = CacheCluster(
                account_id=self.account_id, region_name=self.region_name, cache_cluster_id=member,
                cache_node_type=group.cache_node_type, replication_group_id=group.replication_group_id,
                az_mode=None, preferred_availability_zone=None, num_cache_nodes=1, engine=group.engine,
                engine_version=group.engine_version, cache_parameter_group_name=None,
                cache_subnet_group_name=group.cache_subnet_group_name,
                transit_encryption_enabled=group.transit_encryption_enabled, network_type=None,
                ip_discovery=None, snapshot_name=None, preferred_maintenance_window=None, port=group.port,
                notification_topic_arn=None, auto_minor_version_upgrade=None,
                snapshot_retention_limit=None, snapshot_window=None, auth_token=None, outpost_mode=None,
                preferred_outpost_arn=None, preferred_availability_zones=None,
                cache_security_group_names=None, security_group_ids=group.security_group_ids or [],
                tags=None, snapshot_arns=None, preferred_outpost_arns=None,
                log_delivery_configurations=[], cache_node_ids_to_remove=None, cache_node_ids_to_reboot=None)
        return group

    ElastiCacheBackend.create_replication_group = create_replication_group

    # Application Auto Scaling: ScalableTarget and ScalingPolicy.
    def scaling(account_id, region):
        return applicationautoscaling_backends[account_id][region]

    class ScalableTarget(Backed, CloudFormationModel):
        __module__ = TRACKED  # moto's model registry files models by module
        TYPE = "AWS::ApplicationAutoScaling::ScalableTarget"
        REPLACING = ("ResourceId", "ScalableDimension", "ServiceNamespace")

        @staticmethod
        def create(props, name, account_id, region):
            return scaling(account_id, region).register_scalable_target(
                props.get("ServiceNamespace"), props.get("ResourceId"), props.get("ScalableDimension"),
                int(props["MinCapacity"]), int(props["MaxCapacity"]), props.get("RoleARN"),
                props.get("SuspendedState"))

        def ref(self, obj):
            # CloudFormation's physical ID of a scalable target.
            return f"{obj.resource_id}|{obj.scalable_dimension}|{obj.service_namespace}"

        def attrs(self, obj):
            return {"Id": self.ref(obj)}

        def modify(self, props):
            self.obj.update(int(props["MinCapacity"]), int(props["MaxCapacity"]), props.get("SuspendedState"))

        def remove(self, obj, account_id, region):
            scaling(account_id, region).deregister_scalable_target(
                obj.service_namespace, obj.resource_id, obj.scalable_dimension)

    class ScalingPolicy(Backed, CloudFormationModel):
        __module__ = TRACKED  # moto's model registry files models by module
        TYPE = "AWS::ApplicationAutoScaling::ScalingPolicy"
        REPLACING = ("PolicyName", "ScalingTargetId", "ResourceId", "ScalableDimension", "ServiceNamespace")

        @staticmethod
        def create(props, name, account_id, region):
            target = props.get("ScalingTargetId")
            if target:
                resource_id, dimension, namespace = target.split("|")
            else:
                resource_id, dimension, namespace = (
                    props.get("ResourceId"), props.get("ScalableDimension"), props.get("ServiceNamespace"))
            backend = scaling(account_id, region)
            if resource_id not in backend.targets.get(dimension, {}):
                raise ValueError(f"No scalable target registered for {resource_id} {dimension}")
            kind = props.get("PolicyType")
            body = props.get("TargetTrackingScalingPolicyConfiguration" if kind == "TargetTrackingScaling"
                             else "StepScalingPolicyConfiguration")
            return backend.put_scaling_policy(props.get("PolicyName") or name, namespace, resource_id,
                                              dimension, body, kind)

        def ref(self, obj):
            return obj.policy_arn

        def attrs(self, obj):
            return {"Arn": obj.policy_arn}

        def modify(self, props):
            self.remove(self.obj, self.account_id, self.region)
            self.obj = self.create(props, self.obj.policy_name, self.account_id, self.region)

        def remove(self, obj, account_id, region):
            scaling(account_id, region).delete_scaling_policy(
                obj.policy_name, obj.service_namespace, obj.resource_id, obj.scalable_dimension)

    # Cloud Map: PrivateDnsNamespace and Service.
    def discovery(account_id, region):
        return servicediscovery_backends[account_id][region]

    class PrivateDnsNamespace(Backed, CloudFormationModel):
        __module__ = TRACKED  # moto's model registry files models by module
        TYPE, NAME, REPLACING = "AWS::ServiceDiscovery::PrivateDnsNamespace", "Name", ("Name", "Vpc")

        @staticmethod
        def create(props, name, account_id, region):
            backend = discovery(account_id, region)
            backend.create_private_dns_namespace(name, creator_request_id=None,
                                                 description=props.get("Description"), vpc=props.get("Vpc"),
                                                 tags=tag_list(props), properties=props.get("Properties"))
            return next(n for n in backend.namespaces.values() if n.name == name and n.vpc == props.get("Vpc"))

        def ref(self, obj):
            return obj.id

        def attrs(self, obj):
            return {"Id": obj.id, "Arn": obj.arn,
                    "HostedZoneId": (obj.dns_properties or {}).get("HostedZoneId")}

        def modify(self, props):
            self.obj.description = props.get("Description")

        def remove(self, obj, account_id, region):
            discovery(account_id, region).delete_namespace(obj.id)

    class DiscoveryService(Backed, CloudFormationModel):
        __module__ = TRACKED  # moto's model registry files models by module
        TYPE, NAME, REPLACING = "AWS::ServiceDiscovery::Service", "Name", ("Name", "NamespaceId")

        @staticmethod
        def create(props, name, account_id, region):
            backend = discovery(account_id, region)
            namespace = props.get("NamespaceId")
            if namespace:
                backend.get_namespace(namespace)  # NamespaceNotFound, as AWS
            return backend.create_service(name, namespace, None, props.get("Description"),
                                          props.get("DnsConfig"), props.get("HealthCheckConfig"),
                                          props.get("HealthCheckCustomConfig"), tag_list(props),
                                          props.get("Type"))

        def ref(self, obj):
            return obj.id

        def attrs(self, obj):
            return {"Id": obj.id, "Arn": obj.arn, "Name": obj.name}

        def modify(self, props):
            self.obj.update({k: props[k] for k in ("Description", "DnsConfig", "HealthCheckConfig") if k in props})

        def remove(self, obj, account_id, region):
            discovery(account_id, region).delete_service(obj.id)

    # Secrets Manager: Secret (its value comes in as a NoEcho parameter).
    def secrets(account_id, region):
        return secretsmanager_backends[account_id][region]

    class Secret(Backed, CloudFormationModel):
        __module__ = TRACKED  # moto's model registry files models by module
        TYPE, NAME, REPLACING = "AWS::SecretsManager::Secret", "Name", ("Name",)

        @staticmethod
        def create(props, name, account_id, region):
            backend = secrets(account_id, region)
            backend.create_secret(name, props.get("SecretString"), None, props.get("Description"),
                                  tag_list(props), props.get("KmsKeyId"), None, [], False)
            return backend.secrets[name]

        def ref(self, obj):
            return obj.arn

        def attrs(self, obj):
            return {"Id": obj.arn}

        def modify(self, props):
            secrets(self.account_id, self.region).update_secret(
                self.obj.name, secret_string=props.get("SecretString"), description=props.get("Description"))

        def remove(self, obj, account_id, region):
            secrets(account_id, region).delete_secret(obj.name, None, True)

    # moto finds models through CloudFormationModel.__subclasses__(), cached.
    for cached in (parsing.get_model_list, parsing.get_model_map, parsing.get_name_type_map):
        cached.cache_clear()
    wired = {ReplicationGroup, CacheSubnetGroup, ScalableTarget, ScalingPolicy,
             PrivateDnsNamespace, DiscoveryService, Secret}
    assert all(parsing.get_model_map()[m.TYPE] is m for m in wired)


def patch_unknown_types() -> None:
    """(g) A resource type moto has no model for was skipped (5.2.5 only logs
    "No Moto CloudFormation support"), so a misspelt type deployed "fine".
    Like CloudFormation, CreateStack/UpdateStack/CreateChangeSet now refuse
    a template naming a type that does not exist ("Template format error:
    Unrecognized resource types: [...]", the type list is cfn-lint's copy of
    the region's registry); a real type this stand-in does not model is
    refused too, with a message saying so, rather than faked."""
    import json
    from pathlib import Path
    import yaml
    import cfnlint
    from moto.cloudformation import models as cfn, parsing
    from moto.cloudformation.exceptions import ValidationError

    providers = Path(cfnlint.__file__).parent / "data" / "schemas" / "providers"
    known_by_region = {}

    def known(region):
        if region not in known_by_region:
            path = providers / f"{region}.json"
            known_by_region[region] = set(json.loads((path if path.exists() else providers / "us-east-1.json").read_text()))
        return known_by_region[region]

    def check(template, region):
        if not isinstance(template, str):
            return
        try:
            body = json.loads(template)
        except ValueError:
            loader = type("Loader", (yaml.SafeLoader,), {})
            loader.add_multi_constructor("!", lambda load, tag, node: None)
            try:
                body = yaml.load(template, Loader=loader)
            except yaml.YAMLError:
                return  # moto reports unreadable templates itself
        resources = (body or {}).get("Resources") if isinstance(body, dict) else None
        types = sorted({r.get("Type") for r in (resources or {}).values()
                        if isinstance(r, dict) and isinstance(r.get("Type"), str)})
        custom = [t for t in types if t.startswith("Custom::") or t == "AWS::CloudFormation::CustomResource"]
        unknown = [t for t in types if t not in known(region) and t not in custom]
        if unknown:
            raise ValidationError(message=f"Template format error: Unrecognized resource types: [{', '.join(unknown)}]")
        models = parsing.get_model_map()
        missing = [t for t in types if t not in models and t not in parsing.NULL_MODELS and t not in custom]
        if missing:
            raise ValidationError(message=f"The local AWS stand-in (moto 5.2.5 + tests/moto_launcher.py) "
                                          f"does not model resource types [{', '.join(missing)}]")

    def guarded(method, template_position):
        def wrapper(self, *args, **kwargs):
            template = kwargs.get("template", args[template_position] if len(args) > template_position else None)
            check(template, self.region_name)
            return method(self, *args, **kwargs)
        return wrapper

    backend = cfn.CloudFormationBackend
    backend.create_stack = guarded(backend.create_stack, 1)
    backend.update_stack = guarded(backend.update_stack, 1)
    backend.create_change_set = guarded(backend.create_change_set, 2)


def patch_operate() -> None:
    """Gaps closed for `c2cfn exec`, `tunnel` and `logs` (docs/operate.md)."""
    import json
    from moto.ec2 import models as ec2_models
    from moto.ec2.utils import random_public_ip
    from moto.ecs import models as ecs, responses as ecs_responses
    from moto.ssm import responses as ssm_responses

    # (e) RunTask ignored `enableExecuteCommand` and `assignPublicIp`, and task
    # containers had no `runtimeId` (the part of an ECS Exec target after the
    # task ID). A task now records enableExecuteCommand, its container gets a
    # runtime ID `<task-id>-<n>`, and an ENABLED public IP is put on its ENI.
    task_init = ecs.Task.__init__

    def task_init_patched(self, *args, **kwargs):
        task_init(self, *args, **kwargs)
        self.enable_execute_command = bool(getattr(ecs, "_c2cfn_exec", False))
        for n, container in enumerate(self.containers):
            container.runtime_id = f"{self.id}-{n}"
        net = (getattr(self, "network_configuration", None) or {}).get("awsvpcConfiguration") or {}
        if net.get("assignPublicIp") == "ENABLED":
            backend = ec2_models.ec2_backends[self._account_id][self.region_name]
            for attachment in self.attachments:
                for d in attachment["details"]:
                    if d["name"] == "networkInterfaceId":
                        backend.get_network_interface(d["value"]).public_ip = random_public_ip()

    ecs.Task.__init__ = task_init_patched
    run_task = ecs_responses.EC2ContainerServiceResponse.run_task

    def run_task_patched(self):
        ecs._c2cfn_exec = bool(self._get_param("enableExecuteCommand", False))
        try:
            return run_task(self)
        finally:
            ecs._c2cfn_exec = False

    ecs_responses.EC2ContainerServiceResponse.run_task = run_task_patched

    # (f) ExecuteCommand and SSM StartSession were not implemented. They answer
    # a session (ID, stream URL, token) like AWS; no session ever runs.
    def session(prefix: str) -> dict:
        sid = f"{prefix}-{mock_random_hex()}"
        return {"SessionId": sid, "TokenValue": f"token-{sid}",
                "StreamUrl": f"wss://ssmmessages.us-east-1.amazonaws.com/v1/data-channel/{sid}"}

    def execute_command(self):
        cluster = self._get_param("cluster", "default")
        task = self._get_param("task")
        s = session("ecs-execute-command")
        return json.dumps({
            "clusterArn": cluster, "taskArn": task,
            "containerName": self._get_param("container"),
            "interactive": bool(self._get_param("interactive", False)),
            "session": {"sessionId": s["SessionId"], "streamUrl": s["StreamUrl"], "tokenValue": s["TokenValue"]},
        })

    ecs_responses.EC2ContainerServiceResponse.execute_command = execute_command

    def start_session(self):
        return json.dumps(session("c2cfn-port-forward"))

    ssm_responses.SimpleSystemManagerResponse.start_session = start_session


def patch_import() -> None:
    """Resource import (c2cfn adopting existing resources, docs/deploy.md).

    (g) moto 5.2.5 has no resource import: an IMPORT change set was taken for
    a CREATE of a second stack of the same name, and its execute created the
    resources again (a taken table name: ResourceInUseException). Here an
    IMPORT change set, on a new or an existing stack, checks what AWS checks
    (each imported resource is in the template with its type and a
    DeletionPolicy, exists, and is in no stack; nothing else changes), lists
    `Import` changes, and its execute attaches the existing moto object (a
    DynamoDB table, a log group) to the stack: IMPORT_COMPLETE, nothing
    created, data kept. Parameters may be passed with UsePreviousValue.
    (h) An update of a DynamoDB table's properties left the stack without the
    table (no update model). It now updates the table in place like AWS
    (billing mode, capacity, point-in-time recovery, TTL, tags; items kept),
    and a changed name or key fails like AWS does for a custom-named table.
    The same for a log group (no update model: it became an empty entry of
    the stack): retention and tags change in place, a new name fails.
    An ElastiCache replication group is imported too (wrapped in the model of
    patch_backed_types, with the imported template's properties); after
    that, a change of a replacing property fails, as AWS does for a group
    with a custom ID.
    """
    from moto.cloudformation import models as cfn, responses
    from moto.core.responses import ActionResult
    from moto.dynamodb.models import dynamodb_backends
    from moto.elasticache.models import elasticache_backends
    from moto.dynamodb.models.table import Table
    from moto.logs.models import LogGroup, logs_backends

    pending = {}

    def live_stack(backend, name):
        return next((s for s in backend.stacks.values()
                     if s.name == name and s.status != "DELETE_COMPLETE"), None)

    def existing(backend, resource_type, identifier):
        account, region = backend.account_id, backend.region_name
        if resource_type == "AWS::DynamoDB::Table":
            return dynamodb_backends[account][region].tables.get(identifier.get("TableName"))
        if resource_type == "AWS::Logs::LogGroup":
            return logs_backends[account][region].groups.get(identifier.get("LogGroupName"))
        if resource_type == "AWS::ElastiCache::ReplicationGroup":
            return elasticache_backends[account][region].replication_groups.get(identifier.get("ReplicationGroupId"))
        return None

    def identifier_of(entry):
        ident = entry.get("ResourceIdentifier") or {}
        if isinstance(ident, list):  # [{"key": k, "value": v}] entries
            ident = {e.get("key"): e.get("value") for e in ident}
        return ident

    create_response = responses.CloudFormationResponse.create_change_set

    def create_change_set(self):
        if self._get_param("ChangeSetType") != "IMPORT":
            return create_response(self)
        backend = self.cloudformation_backend
        name = self._get_param("StackName")
        body = self._get_param("TemplateBody") or self._get_stack_from_s3_url(self._get_param("TemplateURL"))
        stack = live_stack(backend, name)
        parameters = {
            p["ParameterKey"]: (stack.stack_parameters[p["ParameterKey"]]
                                if p.get("UsePreviousValue") and stack else p.get("ParameterValue"))
            for p in self._get_param("Parameters", [])
        }
        imports = self._get_param("ResourcesToImport", [])
        change_set_id, stack_id = backend.create_change_set(
            stack_name=name, change_set_name=self._get_param("ChangeSetName"), template=body,
            parameters=parameters, description=self._get_param("Description"),
            change_set_type="UPDATE" if stack else "CREATE")
        change_set = backend.change_sets[change_set_id]
        change_set.change_set_type = "IMPORT"
        change_set.resources_to_import = imports
        resources = change_set.template_dict.get("Resources") or {}
        problems = []
        imported = set()
        for entry in imports:
            logical, kind = entry.get("LogicalResourceId"), entry.get("ResourceType")
            imported.add(logical)
            declared = resources.get(logical) or {}
            ident = identifier_of(entry)
            if declared.get("Type") != kind:
                problems.append(f"{logical} is not a {kind} in the template")
            elif "DeletionPolicy" not in declared:
                problems.append(f"The following resources to import [{logical}] must have DeletionPolicy attribute specified in the template.")
            obj = existing(backend, kind, ident)
            if obj is None:
                problems.append(f"Resource with identifier {ident} of type {kind} does not exist")
            for other in backend.stacks.values():
                if other.status == "DELETE_COMPLETE":
                    continue
                for held in other.resource_map._parsed_resources.values():
                    if obj is not None and (held is obj or getattr(held, "obj", None) is obj):
                        problems.append(f"{ident} already exists in stack {other.stack_id}")
        old = stack.resource_map._resource_json_map if stack else {}
        others = sorted({n for n in set(old) | set(resources)
                         if n not in imported and old.get(n) != resources.get(n)})
        if others:
            problems.append(f"You have modified resources {others} in your template that are not being imported. Update, create or delete operations cannot be executed during import operations.")
        change_set.changes = [cfn.Change("Import", e.get("LogicalResourceId"), e.get("ResourceType")) for e in imports]
        if problems:
            change_set.status, change_set.execution_status = "FAILED", "UNAVAILABLE"
            change_set.status_reason = " ".join(problems)
        else:
            change_set.status, change_set.execution_status = "CREATE_COMPLETE", "AVAILABLE"
            change_set.status_reason = None
        return ActionResult({"Id": change_set_id, "StackId": stack_id})

    responses.CloudFormationResponse.create_change_set = create_change_set

    execute_previous = cfn.CloudFormationBackend.execute_change_set

    def execute_change_set(self, change_set_name, stack_name=None):
        change_set = self.describe_change_set(change_set_name)
        if getattr(change_set, "change_set_type", None) != "IMPORT":
            return execute_previous(self, change_set_name, stack_name)
        stack = self.stacks[change_set.stack_id]
        stack._add_stack_event("IMPORT_IN_PROGRESS", resource_status_reason="User Initiated")
        rmap = stack.resource_map
        for entry in change_set.resources_to_import:
            logical, kind = entry["LogicalResourceId"], entry["ResourceType"]
            obj = existing(self, kind, identifier_of(entry))
            if kind in BACKED:  # the launcher's model around moto's object
                props = (change_set.template_dict["Resources"][logical].get("Properties") or {})
                obj = BACKED[kind](obj, props, self.account_id, self.region_name)
            obj.logical_resource_id, obj.cf_resource_type = logical, kind
            rmap._parsed_resources[logical] = obj
            for status in ("IMPORT_IN_PROGRESS", "IMPORT_COMPLETE"):
                stack.events.append(cfn.Event(
                    stack_id=stack.stack_id, stack_name=stack.name, logical_resource_id=logical,
                    physical_resource_id=obj.physical_resource_id, resource_type=kind,
                    resource_status=status, resource_status_reason=None, resource_properties=None))
        rmap.update(change_set.template_dict, change_set.parameters)
        stack._add_stack_event("IMPORT_COMPLETE")
        change_set.execution_status = "EXECUTE_COMPLETE"
        stack.status = "IMPORT_COMPLETE"
        stack.template = change_set.template
        stack._parse_template()
        stack.description = stack.template_dict.get("Description")
        stack.output_map = stack._create_output_map()
        stack.parameters = change_set.parameters

    cfn.CloudFormationBackend.execute_change_set = execute_change_set

    def table_update(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        props = cloudformation_json["Properties"]
        table = original_resource
        if new_resource_name != table.name or props.get("KeySchema") != table.schema:
            raise cfn.ValidationError(message=(
                "CloudFormation cannot update a stack when a custom-named resource requires "
                f"replacing. Rename {table.name} and update the stack again."))
        backend = dynamodb_backends[account_id][region_name]
        table.billing_mode = props.get("BillingMode", "PROVISIONED")
        if props.get("ProvisionedThroughput"):
            table.throughput = {**props["ProvisionedThroughput"], "NumberOfDecreasesToday": 0}
        pitr = (props.get("PointInTimeRecoverySpecification") or {}).get("PointInTimeRecoveryEnabled", False)
        backend.update_continuous_backups(table.name, {"PointInTimeRecoveryEnabled": bool(pitr)})
        ttl = props.get("TimeToLiveSpecification")
        if ttl:
            backend.update_time_to_live(table.name, ttl)
        table.tags = props.get("Tags") or []
        return table

    Table.update_from_cloudformation_json = classmethod(table_update)

    def log_group_update(cls, original_resource, new_resource_name, cloudformation_json, account_id, region_name):
        props = cloudformation_json["Properties"]
        group = original_resource
        if props.get("LogGroupName", group.name) != group.name:
            raise cfn.ValidationError(message=(
                "CloudFormation cannot update a stack when a custom-named resource requires "
                f"replacing. Rename {group.name} and update the stack again."))
        group.set_retention_policy(props.get("RetentionInDays"))
        backend = logs_backends[account_id][region_name]
        tags = {t["Key"]: t["Value"] for t in props.get("Tags") or []}
        if tags:
            backend.tag_resource(group.arn, tags)
        return group

    LogGroup.update_from_cloudformation_json = classmethod(log_group_update)
def patch_slow(seconds: float) -> None:
    """(g) Test-only, with --slow SECONDS: a stack operation takes that long, as
    on AWS, so that a client can watch it and be interrupted while it runs.
    ExecuteChangeSet applies the change at once (as unpatched), but the stack
    reads CREATE_/UPDATE_IN_PROGRESS until SECONDS have passed, and its
    resources' CREATE_/UPDATE_COMPLETE events appear spread over that time;
    DeleteStack reads DELETE_IN_PROGRESS for SECONDS before the stack goes (not
    for an empty REVIEW_IN_PROGRESS stack: AWS deletes those at once).
    Time advances whenever the stack is read, so nothing runs in the background."""
    from moto.cloudformation import models as cfn

    backend = cfn.CloudFormationBackend
    execute, delete = backend.execute_change_set, backend.delete_stack

    def execute_slow(self, change_set_name, stack_name=None):
        execute(self, change_set_name, stack_name)
        change_set = self.describe_change_set(change_set_name)
        stack = self.stacks[change_set.stack_id]
        kind = change_set.change_set_type
        final = stack.status
        stack.events.pop()  # the stack's own *_COMPLETE, added again at the end
        stack.status = f"{kind}_IN_PROGRESS"
        resources = [(lid, r.get("Type", "")) for lid, r in stack.resource_map._resource_json_map.items()]
        stack._c2cfn_slow = {"start": time.monotonic(), "final": final, "kind": kind,
                             "resources": resources, "shown": 0}

    def delete_slow(self, name_or_stack_id):
        for stack in list(self.stacks.values()):
            if (name_or_stack_id in (stack.name, stack.stack_id) and stack.status != "REVIEW_IN_PROGRESS"
                    and not hasattr(stack, "_c2cfn_delete_at")):
                stack.status = "DELETE_IN_PROGRESS"
                stack._add_stack_event("DELETE_IN_PROGRESS", resource_status_reason="User Initiated")
                stack._c2cfn_delete_at = time.monotonic() + seconds
                return
        return delete(self, name_or_stack_id)

    def settle(self):
        now = time.monotonic()
        for stack in list(self.stacks.values()):
            slow = getattr(stack, "_c2cfn_slow", None)
            if slow:
                due = len(slow["resources"]) * min(1.0, (now - slow["start"]) / seconds)
                while slow["shown"] < int(due):
                    lid, rtype = slow["resources"][slow["shown"]]
                    stack.events.append(cfn.Event(
                        stack_id=stack.stack_id, stack_name=stack.name, logical_resource_id=lid,
                        physical_resource_id=lid, resource_type=rtype,
                        resource_status=f"{slow['kind']}_COMPLETE", resource_status_reason=None,
                        resource_properties=None))
                    slow["shown"] += 1
                if now - slow["start"] >= seconds:
                    del stack._c2cfn_slow
                    stack.status = slow["final"]
                    stack._add_stack_event(slow["final"])
            at = getattr(stack, "_c2cfn_delete_at", None)
            if at is not None and now >= at:
                delete(self, stack.stack_id)

    def settled(method):
        def wrapper(self, *args, **kwargs):
            settle(self)
            return method(self, *args, **kwargs)
        return wrapper

    backend.execute_change_set = execute_slow
    backend.delete_stack = delete_slow
    backend.describe_stacks = settled(backend.describe_stacks)
    backend.get_stack = settled(backend.get_stack)


def mock_random_hex() -> str:
    from moto.moto_api._internal import mock_random
    return mock_random.get_random_hex(17)


def check_port(port: int) -> int:
    """Port 0: a free port chosen by the OS; else fail at once if `port` is taken
    (so a server already there is never mistaken for ours)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, port))
        return s.getsockname()[1]


def announce_when_ready(port: int, timeout: float = 60.0) -> None:
    # No proxy handler: readiness only ever asks 127.0.0.1, whatever *_proxy says.
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
    print(f"moto_launcher: no answer on {HOST}:{port} after {timeout}s", file=sys.stderr)
    os._exit(1)


def main() -> None:
    parser = argparse.ArgumentParser(description="moto server for c2cfn tests")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (0: a free one)")
    parser.add_argument("--slow", type=float, default=0.0,
                        help="test-only: stack operations take this many seconds (patch g)")
    # (i) moto 5.2.5 gives a requested (AMAZON_ISSUED) certificate the status
    # PENDING_VALIDATION, and ISSUED once MOTO_ACM_VALIDATION_WAIT seconds
    # (default 60) have passed at a DescribeCertificate. c2cfn checks that a
    # listener's certificate is ISSUED before deploying, so the stand-in
    # issues at once (0), as AWS does for a DNS-validated certificate whose
    # CNAME is in place; a test of a pending certificate passes a long wait.
    parser.add_argument("--acm-validation-wait", type=int, default=0,
                        help="seconds a requested certificate stays PENDING_VALIDATION")
    args = parser.parse_args()
    os.environ["MOTO_ACM_VALIDATION_WAIT"] = str(args.acm_validation_wait)  # read when moto is imported
    patch_moto()
    if args.slow > 0:
        patch_slow(args.slow)
    from moto.server import main as moto_main

    # The free port is picked only now, after the slow imports, so the time
    # in which another process may take it before moto binds it is short
    # (the tests retry a launcher that exits without announcing a port).
    port = check_port(args.port)

    threading.Thread(target=announce_when_ready, args=(port,), daemon=True).start()
    moto_main(["-H", HOST, "-p", str(port)])


if __name__ == "__main__":
    main()
