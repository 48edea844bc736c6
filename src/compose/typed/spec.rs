//! The value types of every key of the Compose specification, in a small
//! notation read by `shape.rs`. The test suite checks this table against the
//! official Compose JSON schema: every key gets every wrong type.
//!
//! Notation: `str`, `dur` (a string the duration reader checks, which also
//! explains a number without a unit), `int` (whole number), `num` (any number), `bool`,
//! `null`, `any`; `[S]` a list of S; `{key: S, …}` a mapping whose listed
//! keys have the shapes given (other keys are checked elsewhere: typos get a
//! "did you mean" from the typing step), `*: S` for the values of keys not
//! listed; `A|B` either; `@name` a shape defined in [`DEFS`]. As in Docker
//! Compose, a scalar produced by `${VAR}` interpolation is a string.

/// The document.
pub(super) const ROOT: &str = "{
  version: str, name: str,
  include: [str|{path: @str_or_list, env_file: @str_or_list, project_directory: str}],
  services: {*: @service},
  networks: {*: null|@network},
  volumes: {*: null|@volume},
  secrets: {*: @secret},
  configs: {*: @config},
  models: {*: {name: str, model: str, context_size: int, runtime_flags: [str]}}
}";

/// Named shapes, used as `@name`.
pub(super) const DEFS: &[(&str, &str)] = &[
    ("strs", "[str]"),
    ("str_or_list", "str|[str]"),
    ("list_or_dict", "[str]|{*: str|num|bool|null}"),
    ("command", "null|str|[str]"),
    ("external", "bool|str|{name: str}"),
    ("driver_opts", "{*: num|str}"),
    ("ulimits", "{*: int|str|{hard: int|str, soft: int|str}}"),
    ("extra_hosts", "[str]|{*: str|[str]}"),
    ("blkio_limit", "[{path: str, rate: int|str}]"),
    ("refs", "[str|{source: str, target: str, uid: str, gid: str, mode: num|str}]"),
    (
        "hook",
        "{command: @command, user: str, privileged: bool|str, working_dir: str, environment: @list_or_dict}",
    ),
    (
        "device_request",
        "{capabilities: [str], count: int|str, device_ids: [str], driver: str, options: @list_or_dict}",
    ),
    (
        "network",
        "{name: str, driver: str, driver_opts: @driver_opts,
          ipam: {driver: str, config: [{subnet: str, ip_range: str, gateway: str, aux_addresses: {*: str}}], options: {*: str}},
          external: @external, internal: bool|str, enable_ipv4: bool|str, enable_ipv6: bool|str,
          attachable: bool|str, labels: @list_or_dict}",
    ),
    (
        "volume",
        "{name: str, driver: str, driver_opts: @driver_opts, external: @external, labels: @list_or_dict}",
    ),
    (
        "secret",
        "{name: str, environment: str, file: str, external: @external, labels: @list_or_dict,
          driver: str, driver_opts: @driver_opts, template_driver: str}",
    ),
    (
        "config",
        "{name: str, content: str, environment: str, file: str, external: @external,
          labels: @list_or_dict, template_driver: str}",
    ),
    (
        "build",
        "str|{context: str, dockerfile: str, dockerfile_inline: str, entitlements: [str],
          args: @list_or_dict, ssh: @list_or_dict, labels: @list_or_dict, cache_from: [str],
          cache_to: [str], no_cache: bool|str, additional_contexts: @list_or_dict, network: str,
          provenance: bool|str, sbom: bool|str, pull: bool|str, target: str, shm_size: int|str,
          extra_hosts: @extra_hosts, isolation: str, privileged: bool|str,
          secrets: @refs, tags: [str], ulimits: @ulimits, platforms: [str]}",
    ),
    (
        "update_config",
        "{parallelism: int|str, delay: str, failure_action: str, monitor: str,
          max_failure_ratio: num|str, order: str}",
    ),
    (
        "deploy",
        "null|{mode: str, endpoint_mode: str, replicas: int|str, labels: @list_or_dict,
          rollback_config: @update_config, update_config: @update_config,
          resources: {
            limits: {cpus: num|str, memory: str, pids: int|str},
            reservations: {cpus: num|str, memory: str,
              generic_resources: [{discrete_resource_spec: {kind: str, value: num|str}}],
              devices: [@device_request]}},
          restart_policy: {condition: str, delay: str, max_attempts: int|str, window: str},
          placement: {constraints: [str], preferences: [{spread: str}], max_replicas_per_node: int|str}}",
    ),
    (
        "develop",
        "null|{watch: [{ignore: @str_or_list, include: @str_or_list, path: str, action: str,
          target: str, exec: @hook, initial_sync: bool}]}",
    ),
    (
        "healthcheck",
        "{disable: bool|str, interval: dur, retries: num|str, test: str|[str], timeout: dur,
          start_period: dur, start_interval: str}",
    ),
    (
        "service",
        "{develop: @develop, deploy: @deploy, annotations: @list_or_dict, attach: bool|str,
          build: @build,
          blkio_config: {device_read_bps: @blkio_limit, device_read_iops: @blkio_limit,
            device_write_bps: @blkio_limit, device_write_iops: @blkio_limit, weight: int|str,
            weight_device: [{path: str, weight: int|str}]},
          cap_add: [str], cap_drop: [str], cgroup: str, cgroup_parent: str, command: @command,
          configs: @refs, container_name: str, cpu_count: int|str, cpu_percent: int|str,
          cpu_shares: num|str, cpu_quota: num|str, cpu_period: num|str, cpu_rt_period: num|str,
          cpu_rt_runtime: num|str, cpus: num|str, cpuset: str,
          credential_spec: {config: str, file: str, registry: str},
          depends_on: [str]|{*: {restart: bool|str, required: bool, condition: str}},
          device_cgroup_rules: [str],
          devices: [str|{source: str, target: str, permissions: str}],
          dns: @str_or_list, dns_opt: [str], dns_search: @str_or_list, domainname: str,
          entrypoint: @command,
          env_file: str|[str|{path: str, format: str, required: bool|str}],
          label_file: @str_or_list, environment: @list_or_dict, expose: [num|str],
          extends: str|{service: str, file: str},
          provider: {type: str, options: {*: str|num|bool|[str|num|bool]}},
          external_links: [str], extra_hosts: @extra_hosts,
          gpus: str|[@device_request], group_add: [num|str], healthcheck: @healthcheck,
          hostname: str, image: str, init: bool|str, ipc: str, isolation: str,
          labels: @list_or_dict, links: [str],
          logging: {driver: str, options: {*: null|num|str}},
          mac_address: str, mem_limit: num|str, mem_reservation: int|str,
          mem_swappiness: int|str, memswap_limit: num|str, network_mode: str,
          models: [str]|{*: {endpoint_var: str, model_var: str}},
          networks: [str]|{*: null|{aliases: [str], interface_name: str, ipv4_address: str,
            ipv6_address: str, link_local_ips: [str], mac_address: str,
            driver_opts: @driver_opts, priority: num, gw_priority: num}},
          oom_kill_disable: bool|str, oom_score_adj: int|str, pid: null|str, pids_limit: num|str,
          platform: str,
          ports: [num|str|{name: str, mode: str, host_ip: str, target: int|str,
            published: int|str, protocol: str, app_protocol: str}],
          post_start: [@hook], pre_stop: [@hook], privileged: bool|str, profiles: [str],
          pull_policy: str, pull_refresh_after: str, read_only: bool|str, restart: str,
          runtime: str, scale: int|str, security_opt: [str], shm_size: num|str,
          secrets: @refs, sysctls: @list_or_dict, stdin_open: bool|str,
          stop_grace_period: dur, stop_signal: str, storage_opt: {*: any},
          tmpfs: @str_or_list, tty: bool|str, ulimits: @ulimits, use_api_socket: bool,
          user: str, uts: str, userns_mode: str,
          volumes: [str|{type: str, source: str, target: str, read_only: bool|str,
            consistency: str,
            bind: {propagation: str, create_host_path: bool|str, recursive: str, selinux: str},
            volume: {labels: @list_or_dict, nocopy: bool|str, subpath: str},
            tmpfs: {size: int|str, mode: num|str}, image: {subpath: str}}],
          volumes_from: [str], working_dir: str}",
    ),
];
