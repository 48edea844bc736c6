//! The library's one entry point: [`render`] turns a [`Request`] (what the
//! command line says) into the template and the deploy contract
//! ([`Contract`]: what deploying, operating or running the template locally
//! needs to know), or into the diagnostics that stop it.
//!
//! The steps: settings (flags, shell, `--env-file` files read once:
//! [`crate::settings`]) → `compose::load` → `lower` → `cfn::emit` → overlay
//! → CloudFormation's limits → text. The `x-aws-cloudformation` overlay is
//! user-written CloudFormation: it goes from the project straight to `cfn`
//! (`overlay_of`), never through the model. The names the contract gives
//! (cluster, log group, stateful types) are computed in [`names`], one
//! small place.

use std::path::{Path, PathBuf};

use indexmap::IndexMap;
use serde_json::{Value, json};

use crate::cfn::{self, Format};
use crate::compose::{self, LoadOptions};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::docker::{BuildSpec, fargate_platform};
use crate::lower;
use crate::model::{self, Stack};
use crate::settings::{Settings, Typed};
use crate::source::SourceMap;

/// What to render: the project options of the command line.
#[derive(Debug, Clone)]
pub struct Request {
    /// Compose files (`-f`, positional); empty: `app_compose`, else discovered.
    pub files: Vec<PathBuf>,
    /// `--project-directory`.
    pub project_directory: Option<PathBuf>,
    /// `-p`: the project name, and the flag that sets `app_cluster`.
    pub project_name: Option<String>,
    /// `--env-file` files, in order (later ones win).
    pub env_files: Vec<PathBuf>,
    /// `--profile`.
    pub profiles: Vec<String>,
    /// The shell environment (settings and interpolation variables).
    pub shell: IndexMap<String, String>,
    /// Other flags that set a setting: (key, flag, value), e.g.
    /// `("aws_region", "--region", "eu-west-1")`. They win over the shell.
    pub flags: Vec<(&'static str, &'static str, String)>,
    /// The directory relative paths are resolved against.
    pub cwd: PathBuf,
    /// YAML or JSON.
    pub format: Format,
    /// A local environment (`ecs=false`): the AWS-only checks and
    /// CloudFormation's limits are skipped.
    pub local: bool,
    /// `--strict`: warnings fail the render.
    pub strict: bool,
}

impl Default for Request {
    fn default() -> Self {
        Self {
            files: Vec::new(),
            project_directory: None,
            project_name: None,
            env_files: Vec::new(),
            profiles: Vec::new(),
            shell: IndexMap::new(),
            flags: Vec::new(),
            cwd: PathBuf::from("."),
            format: Format::Yaml,
            local: false,
            strict: false,
        }
    }
}

/// Why a render stopped: the diagnostics (errors, and the warnings found
/// with them) and the source map they point into.
#[derive(Debug)]
pub struct Rejected {
    /// Every problem, sorted; with `strict`, warnings are errors.
    pub diagnostics: Diagnostics,
    /// The files read, for rendering the diagnostics.
    pub sources: SourceMap,
}

impl Rejected {
    /// The diagnostics as text (path, line, column, source line, hint).
    #[must_use]
    pub fn text(&self) -> String {
        crate::diagnostic::render(&self.sources, &self.diagnostics)
    }
}

/// A rendered project.
#[derive(Debug)]
pub struct Rendered {
    /// The template text, as `c2cfn render` prints it.
    pub text: String,
    /// The template as a value (after the overlay).
    pub value: Value,
    /// What deploying the template needs to know.
    pub contract: Contract,
    /// The settings (flag, shell, env files), for the keys the contract
    /// does not cover.
    pub settings: Settings,
    /// The same, typed.
    pub typed: Typed,
    /// The loaded project.
    pub project: compose::Project,
    /// The lowered stack.
    pub stack: Stack,
    /// The compose files loaded (given or discovered).
    pub compose_files: Vec<PathBuf>,
    /// Notes for the user (built images, TLS policies).
    pub notes: Vec<String>,
    /// Warnings (sorted); print them with [`Self::warnings_text`].
    pub warnings: Diagnostics,
    /// The files read.
    pub sources: SourceMap,
}

impl Rendered {
    /// The warnings as text (empty when there are none).
    #[must_use]
    pub fn warnings_text(&self) -> String {
        if self.warnings.is_empty() {
            String::new()
        } else {
            crate::diagnostic::render(&self.sources, &self.warnings)
        }
    }
}

/// The deploy contract: the template's parameters and where each value
/// comes from, the services built from source, and the physical names the
/// deploy, operate and local commands look for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contract {
    /// The stack's name: `app_cluster`, else the project name.
    pub stack: String,
    /// The compose project's name (tags the ECR repositories).
    pub project: String,
    /// Every template parameter, in the template's order.
    pub parameters: Vec<Parameter>,
    /// The services built from source, and how.
    pub builds: Vec<Build>,
    /// The tag images are pushed under (`docker_tag`, else `latest`).
    pub image_tag: String,
    /// The ECS cluster.
    pub cluster: ClusterRef,
    /// The log group every container logs to.
    pub log_group: String,
    /// The resources whose replacement or removal loses data.
    pub stateful: Vec<StatefulResource>,
    /// The default `tunnel` forwards (`tunnel_ports`): (local, remote).
    pub tunnel_ports: Vec<(u16, u16)>,
}

/// A template parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parameter {
    /// Its name in the template.
    pub name: String,
    /// Where its value comes from at deploy time.
    pub source: ParameterSource,
}

/// Where a parameter's value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParameterSource {
    /// The default VPC, or one of its first two subnets (looked up in EC2).
    DefaultNetwork,
    /// The image of a service built from source (pushed, or `--image`).
    Image {
        /// The service.
        service: String,
    },
    /// The value of a stack-owned secret.
    Secret {
        /// The secret's compose name.
        name: String,
        /// Where the value is read.
        from: SecretSource,
    },
    /// Anything else (a parameter of the overlay): its `Default`.
    Default,
}

/// Where a stack-owned secret's value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSource {
    /// `file:` (absolute).
    File(PathBuf),
    /// `environment:` (a variable name).
    Variable(String),
    /// Neither (an error at deploy time).
    Missing,
}

/// A service built from source (`build:`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Build {
    /// The service.
    pub service: String,
    /// Its `<Service>Image` parameter.
    pub parameter: String,
    /// How to build it.
    pub spec: BuildSpec,
}

/// The ECS cluster the services run in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClusterRef {
    /// Created by the stack, with this name.
    Created(String),
    /// Given by `x-aws-cluster` (a name or an ARN).
    Existing(String),
}

/// A resource whose replacement or removal loses data.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatefulResource {
    /// Its logical ID.
    pub logical_id: String,
    /// Its CloudFormation type.
    pub resource_type: String,
}

/// Renders the project of `request`.
///
/// # Errors
/// The diagnostics when the project cannot be rendered (with `strict`, any
/// warning too).
pub fn render(request: &Request) -> Result<Rendered, Rejected> {
    let mut sources = SourceMap::new();
    let mut diags = Diagnostics::new();
    let loaded = load(request, true, &mut sources, &mut diags);
    let reject =
        |sources: SourceMap, diags: Diagnostics| Err(rejected(sources, diags, request.strict));
    let Some(Read {
        loaded,
        settings,
        lowering,
        files,
    }) = loaded
    else {
        return reject(sources, diags);
    };
    let overlay = overlay_of(&loaded.project);
    let (stack, overlay_entries) =
        lower_and_check(&loaded.project, &lowering, overlay.as_ref(), &mut diags);
    if diags.has_errors() || (request.strict && !diags.is_empty()) {
        return reject(sources, diags);
    }
    let template = cfn::emit(&stack);
    for id in &template.clashes {
        diags.push(
            Diagnostic::error(format!(
                "two different resources would both get the logical ID `{id}`"
            ))
            .help("two compose names (services, networks, volumes, secrets, tables, records) normalise to overlapping IDs; rename one of them"),
        );
    }
    let mut value = template.into_value();
    for problem in cfn::overlay::check(&value, &overlay_entries) {
        diags.push(problem);
    }
    if diags.has_errors() {
        return reject(sources, diags);
    }
    if let Some(overlay) = &overlay {
        cfn::overlay::apply(&mut value, overlay);
    }
    cfn::source::describe_listeners(&mut value);
    let tls_notes = cfn::tls_policy::default_ssl_policies(&mut value);
    let text = cfn::render(&value, request.format);
    if !request.local {
        for problem in cfn::limits::check(&value, &text) {
            diags.push(problem);
        }
    }
    if diags.has_errors() {
        return reject(sources, diags);
    }
    diags.sort();
    let mut notes = tls_notes;
    for service in stack.services.iter().filter(|s| s.built) {
        notes.push(format!(
            "service `{}` has no image: `c2cfn up` builds it and pushes it to ECR repository `{}/{}` (template parameter {})",
            service.name,
            stack.project,
            service.name,
            cfn::logical_id::image_parameter(&service.name)
        ));
    }
    let typed = settings.typed();
    let contract = contract(&loaded.project, &stack, &value, &lowering, &typed);
    Ok(Rendered {
        text,
        value,
        contract,
        settings,
        typed,
        project: loaded.project,
        stack,
        compose_files: files,
        notes,
        warnings: diags,
        sources,
    })
}

/// The settings of `request` alone (flags, shell, env files), without the
/// compose project: what `ps`, `down`, `logs` need when the compose file
/// does not load. Problems go to `diags`.
pub fn settings(request: &Request, sources: &mut SourceMap, diags: &mut Diagnostics) -> Settings {
    read_settings(request, sources, diags).0
}

/// `c2cfn config`: the resolved project as compose prints it, with c2cfn's
/// settings under `x-c2cfn`; no ECS check.
///
/// # Errors
/// The diagnostics when the project cannot be loaded (with `strict`, any
/// warning too).
pub fn config(request: &Request) -> Result<(Value, Diagnostics, SourceMap), Rejected> {
    let mut sources = SourceMap::new();
    let mut diags = Diagnostics::new();
    let Some(loaded) = load(request, false, &mut sources, &mut diags) else {
        return Err(rejected(sources, diags, request.strict));
    };
    if request.strict && !diags.is_empty() {
        return Err(rejected(sources, diags, request.strict));
    }
    diags.sort();
    let project = &loaded.loaded.project;
    let mut value = compose::canonical::canonical(
        &loaded.loaded.document,
        &project.name,
        &sources,
        &loaded.loaded.variables,
    );
    let mut env = serde_json::Map::new();
    for file in loaded.settings.env_files() {
        for (k, e) in &file.entries {
            env.insert(k.clone(), Value::from(e.value.clone()));
        }
    }
    if let Value::Object(map) = &mut value {
        let stack = names::stack(loaded.lowering.prefix.as_deref(), &project.name);
        map.insert(
            "x-c2cfn".into(),
            json!({
                "stack": stack,
                "prefix": stack,
                "environment": env,
            }),
        );
    }
    Ok((value, diags, sources))
}

fn rejected(sources: SourceMap, mut diagnostics: Diagnostics, strict: bool) -> Rejected {
    if strict {
        diagnostics.promote_warnings();
    }
    diagnostics.sort();
    Rejected {
        diagnostics,
        sources,
    }
}

/// A loaded project with its settings.
struct Read {
    loaded: compose::Loaded,
    settings: Settings,
    lowering: lower::Settings,
    files: Vec<PathBuf>,
}

fn read_settings(
    request: &Request,
    sources: &mut SourceMap,
    diags: &mut Diagnostics,
) -> (Settings, Vec<compose::EnvFileRead>) {
    let mut settings = Settings::new(request.shell.clone())
        .in_dir(&request.cwd)
        .with_flag("app_cluster", "-p", request.project_name.as_deref());
    for (key, flag, value) in &request.flags {
        settings = settings.with_flag(key, flag, Some(value));
    }
    let read = settings.read(&request.env_files, sources, diags);
    (settings, read)
}

/// Reads the settings and loads the compose project; `None` when it does
/// not load (the problems are in `diags`). With `ecs_checks`, a project
/// that fails to load is still lowered, so that ECS problems are reported
/// in the same run (`render`); `config` reports compose problems only.
fn load(
    request: &Request,
    ecs_checks: bool,
    sources: &mut SourceMap,
    diags: &mut Diagnostics,
) -> Option<Read> {
    let (settings, read) = read_settings(request, sources, diags);
    if diags.has_errors() {
        return None;
    }
    let typed = settings.typed();
    let files = if request.files.is_empty() {
        typed
            .app_compose
            .as_ref()
            .map(|s| s.value.clone())
            .unwrap_or_default()
    } else {
        request.files.clone()
    };
    let lowering = lower::Settings {
        prefix: typed.app_cluster.as_ref().map(|s| s.value.clone()),
        local: request.local,
    };
    let options = LoadOptions {
        files: files.clone(),
        project_name: request.project_name.clone(),
        project_directory: request.project_directory.clone(),
        env_files: request.env_files.clone(),
        // Without `--env-file`, compose reads `.env` of the project
        // directory (an interpolation file only, not c2cfn's settings).
        env_files_read: (!request.env_files.is_empty()).then_some(read),
        profiles: request.profiles.clone(),
        environment: settings.interpolation_environment(),
        cwd: request.cwd.clone(),
    };
    match compose::load(&options, sources) {
        Ok(loaded) => {
            diags.extend(loaded.warnings.clone());
            let files = if files.is_empty() {
                compose::discover::discover(&options, &mut Diagnostics::new())
                    .map(|d| d.files)
                    .unwrap_or_default()
            } else {
                files
            };
            Some(Read {
                loaded,
                settings,
                lowering,
                files,
            })
        }
        Err(failure) => {
            diags.extend(failure.diagnostics);
            // Check what could be loaded too, so that independent problems
            // (a bad port and a privileged container) come in one report.
            if let Some(project) = failure.partial.filter(|_| ecs_checks) {
                lower_and_check(&project, &lowering, overlay_of(&project).as_ref(), diags);
            }
            None
        }
    }
}

/// The `x-aws-cloudformation` overlay of `project`, handed to `cfn` as
/// written: the fragment and where each of its keys was written.
fn overlay_of(project: &compose::Project) -> Option<cfn::overlay::Overlay> {
    project.overlay.as_ref().map(|o| cfn::overlay::Overlay {
        value: o.value.clone(),
        keys: o.keys.clone(),
    })
}

/// Lowers `project` and checks what only `cfn` can: the names things get
/// (`cfn::names::check`) and the overlay's sections. Returns the stack and
/// the overlay's entries, to compare with the generated template; the
/// problems go to `diags`.
fn lower_and_check(
    project: &compose::Project,
    lowering: &lower::Settings,
    overlay: Option<&cfn::overlay::Overlay>,
    diags: &mut Diagnostics,
) -> (Stack, Vec<cfn::overlay::Entry>) {
    let (stack, lowered) = lower::lower(project, lowering);
    diags.extend(lowered);
    let entries = overlay
        .map(|o| cfn::overlay::entries(o, diags))
        .unwrap_or_default();
    diags.extend(cfn::names::check(&stack));
    (stack, entries)
}

/// The deploy contract of a rendered stack.
fn contract(
    project: &compose::Project,
    stack: &Stack,
    template: &Value,
    lowering: &lower::Settings,
    typed: &Typed,
) -> Contract {
    let builds: Vec<Build> = stack
        .services
        .iter()
        .filter(|s| s.built)
        .filter_map(|s| {
            let service = project.services.get(&s.name)?;
            let build = service.build.as_ref()?;
            Some(Build {
                service: s.name.clone(),
                parameter: cfn::logical_id::image_parameter(&s.name),
                spec: BuildSpec {
                    context: build.context.value.clone(),
                    dockerfile: build.dockerfile.clone(),
                    args: build
                        .args
                        .iter()
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect(),
                    target: build.target.clone(),
                    platform: fargate_platform(service.platform.as_ref().map(|p| p.value.as_str())),
                },
            })
        })
        .collect();
    let parameters = names::parameters(template)
        .into_iter()
        .map(|name| {
            let source = parameter_source(&name, project, stack);
            Parameter { name, source }
        })
        .collect();
    Contract {
        stack: names::stack(lowering.prefix.as_deref(), &project.name),
        project: project.name.clone(),
        parameters,
        builds,
        image_tag: typed.docker_tag(),
        cluster: names::cluster(stack),
        log_group: names::log_group(stack),
        stateful: names::stateful(template),
        tunnel_ports: typed
            .tunnel_ports
            .as_ref()
            .map(|s| s.value.clone())
            .unwrap_or_default(),
    }
}

fn parameter_source(name: &str, project: &compose::Project, stack: &Stack) -> ParameterSource {
    use crate::cfn::resources::{SUBNET1_PARAMETER, SUBNET2_PARAMETER, VPC_PARAMETER};
    if [VPC_PARAMETER, SUBNET1_PARAMETER, SUBNET2_PARAMETER].contains(&name) {
        return ParameterSource::DefaultNetwork;
    }
    for (secret, def) in &project.secrets {
        if !def.external && cfn::resources::secrets::value_parameter(secret) == name {
            let from = match (&def.file, &def.environment) {
                (Some(f), _) => SecretSource::File(f.clone()),
                (None, Some(v)) => SecretSource::Variable(v.clone()),
                (None, None) => SecretSource::Missing,
            };
            return ParameterSource::Secret {
                name: secret.clone(),
                from,
            };
        }
    }
    if let Some(s) = stack
        .services
        .iter()
        .find(|s| s.built && cfn::logical_id::image_parameter(&s.name) == name)
    {
        return ParameterSource::Image {
            service: s.name.clone(),
        };
    }
    ParameterSource::Default
}

/// The physical names the contract gives, read from `cfn::names`, the one
/// place that decides them.
pub mod names {
    use super::{ClusterRef, Stack, StatefulResource, Value, cfn, model};

    /// The stack's name: `app_cluster`, else the project name.
    #[must_use]
    pub fn stack(prefix: Option<&str>, project: &str) -> String {
        prefix.unwrap_or(project).to_owned()
    }

    /// The cluster: created (named after the project) or given.
    #[must_use]
    pub fn cluster(stack: &Stack) -> ClusterRef {
        match &stack.cluster {
            model::Cluster::Create => ClusterRef::Created(cfn::names::cluster_name(&stack.project)),
            model::Cluster::Existing(name) => ClusterRef::Existing(name.clone()),
        }
    }

    /// The log group (as Docker's integration named it).
    #[must_use]
    pub fn log_group(stack: &Stack) -> String {
        cfn::names::log_group(&stack.project)
    }

    /// The template's stateful resources, by logical ID.
    #[must_use]
    pub fn stateful(template: &Value) -> Vec<StatefulResource> {
        template
            .get("Resources")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .filter_map(|(id, r)| {
                let t = r.get("Type").and_then(Value::as_str)?;
                let guarded = cfn::names::stateful_type(t).is_some_and(|s| s.guarded);
                guarded.then(|| StatefulResource {
                    logical_id: id.clone(),
                    resource_type: t.to_owned(),
                })
            })
            .collect()
    }

    /// The cluster a deployed template names in `Metadata.Cluster`
    /// (`x-aws-cluster`); `None`: the stack's own.
    #[must_use]
    pub fn deployed_cluster(template: &Value) -> Option<String> {
        cfn::names::existing_cluster(template)
    }

    /// The template's parameter names.
    #[must_use]
    pub fn parameters(template: &Value) -> Vec<String> {
        template
            .get("Parameters")
            .and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default()
    }
}

/// The directory to resolve relative paths against: the current one.
#[must_use]
pub fn current_dir() -> PathBuf {
    std::env::current_dir().unwrap_or_else(|_| Path::new(".").to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(env_file: &str) -> Request {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        Request {
            env_files: vec![root.join(env_file)],
            cwd: root.to_path_buf(),
            ..Request::default()
        }
    }

    /// Renders `compose` (a `compose.yaml`, project `p`) in a temporary
    /// directory.
    fn render_compose(compose: &str) -> Result<Rendered, Rejected> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("compose.yaml"), compose).unwrap();
        render(&Request {
            project_name: Some("p".into()),
            cwd: dir.path().to_path_buf(),
            ..Request::default()
        })
    }

    /// The committed template is what `render` returns, and the contract
    /// says what deploying it needs.
    #[test]
    fn the_game_backend_renders_with_its_contract() {
        let r = render(&request("compose/game-backend/develop.env")).unwrap();
        let committed = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("templates/game-backend-develop.yaml"),
        )
        .unwrap();
        assert_eq!(r.text, committed);
        let c = &r.contract;
        assert_eq!(c.stack, "ccg-develop");
        assert_eq!(c.log_group, "/docker-compose/ccg-develop");
        assert_eq!(c.cluster, ClusterRef::Created("ccg-develop".into()));
        assert_eq!(c.tunnel_ports, [(5000, 4005), (5001, 4006)]);
        assert_eq!(c.image_tag, "latest");
        assert!(
            c.stateful
                .iter()
                .any(|s| s.resource_type == "AWS::DynamoDB::Table"),
            "{:?}",
            c.stateful
        );
        assert_eq!(
            c.parameters.iter().map(|p| &p.name).collect::<Vec<_>>(),
            names::parameters(&r.value).iter().collect::<Vec<_>>()
        );
        assert_eq!(r.typed.redis_nodes.as_ref().map(|s| s.value), Some(1));
    }

    #[test]
    fn built_services_and_secrets_are_parameters_with_their_source() {
        let r = render_compose(
            "services:\n  api:\n    build: ./api\n    secrets: [token]\nsecrets:\n  token:\n    environment: TOKEN\n",
        )
        .unwrap();
        let c = &r.contract;
        assert_eq!(c.builds.len(), 1);
        assert_eq!(c.builds[0].service, "api");
        assert_eq!(c.builds[0].spec.platform, "linux/amd64");
        let source = |name: &str| {
            c.parameters
                .iter()
                .find(|p| p.name == name)
                .map(|p| p.source.clone())
        };
        assert_eq!(
            source(&c.builds[0].parameter),
            Some(ParameterSource::Image {
                service: "api".into()
            })
        );
        assert!(c.parameters.iter().any(|p| p.source
            == ParameterSource::Secret {
                name: "token".into(),
                from: SecretSource::Variable("TOKEN".into())
            }));
    }

    /// The physical names are made and checked in `cfn::names`; the errors
    /// still point at what the user wrote.
    #[test]
    fn physical_names_aws_refuses_are_errors_where_they_are_written() {
        let rejected = render_compose(
            "services:\n  a:\n    image: x\nx-aws-dynamodb:\n  tables:\n    - name: players\n      hash: id\n      table_name: no spaces\n  services: [a]\nx-aws-elasticache:\n  redis:\n    replication_group_id: Bad_Id\n    services: [a]\n",
        )
        .unwrap_err();
        let found: Vec<(String, (usize, usize))> = rejected
            .diagnostics
            .items()
            .iter()
            .map(|d| {
                (
                    d.message.clone(),
                    rejected.sources.line_col(d.span.unwrap()),
                )
            })
            .collect();
        assert_eq!(
            found,
            [
                ("`no spaces` is not a valid DynamoDB table name".to_owned(), (6, 13)),
                (
                    "`Bad_Id` is not a valid replication group ID: it must start with a lower-case letter".to_owned(),
                    (12, 27)
                ),
            ]
        );
    }

    /// The overlay goes from the project to `cfn` without the model: an
    /// unknown section is refused at its key, an entry that names nothing
    /// at the entry.
    #[test]
    fn the_overlay_is_checked_in_cfn() {
        let rejected = render_compose(
            "services:\n  a:\n    image: x\nx-aws-cloudformation:\n  Resources:\n    Nothing:\n      Properties: {}\n",
        )
        .unwrap_err();
        let d = &rejected.diagnostics.items()[0];
        assert!(
            d.message.contains("patches resource `Nothing`"),
            "{}",
            d.message
        );
        assert_eq!(rejected.sources.line_col(d.span.unwrap()), (6, 5));
        let r = render_compose(
            "services:\n  a:\n    image: x\nx-aws-cloudformation:\n  Outputs:\n    Url:\n      Value: x\n",
        )
        .unwrap();
        assert_eq!(r.value["Outputs"]["Url"]["Value"], "x");
    }

    #[test]
    fn a_bad_setting_is_rejected_at_its_line() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("compose.yaml"),
            "services:\n  a:\n    image: x\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("e.env"), "redis_nodes=9\n").unwrap();
        let rejected = render(&Request {
            env_files: vec![PathBuf::from("e.env")],
            cwd: dir.path().to_path_buf(),
            ..Request::default()
        })
        .unwrap_err();
        let d = &rejected.diagnostics.items()[0];
        assert_eq!(rejected.sources.line_col(d.span.unwrap()), (1, 13));
        assert!(d.message.contains("is not a node count"), "{}", d.message);
    }
}
