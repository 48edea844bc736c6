//! What c2cfn needs from AWS, as two small traits over plain data, so the
//! deploy state machine is tested against fakes (`plan.rs` tests) and runs
//! against the AWS SDK (`crate::aws`). No SDK type crosses this boundary.

pub use crate::aws::{ApiError, ApiResult, ErrorKind};

/// `CREATE` for a new stack, `UPDATE` for an existing one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeSetType {
    /// A new stack (or one left in `REVIEW_IN_PROGRESS`).
    Create,
    /// An existing stack.
    Update,
    /// Resources that exist outside CloudFormation are brought into a new
    /// or existing stack (see `adopt.rs`).
    Import,
}

/// One entry of an IMPORT change set's ResourcesToImport.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceToImport {
    /// `AWS::DynamoDB::Table`, ...
    pub resource_type: String,
    /// Logical ID in the template.
    pub logical_id: String,
    /// Identifier properties and values (`TableName` = `game-players`).
    pub identifier: Vec<(String, String)>,
}

/// A change set to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewChangeSet {
    /// Stack name.
    pub stack: String,
    /// Change set name.
    pub name: String,
    /// The template text.
    pub template_body: String,
    /// Where the same template was uploaded (S3), when it is too large to
    /// send inline; CloudFormation then reads it from there.
    pub template_url: Option<String>,
    /// Parameter values, by name.
    pub parameters: Vec<(String, String)>,
    /// CREATE, UPDATE or IMPORT.
    pub kind: ChangeSetType,
    /// IMPORT: the resources to import.
    pub imports: Vec<ResourceToImport>,
    /// Parameters passed with `UsePreviousValue` (an IMPORT into an
    /// existing stack keeps every value as deployed).
    pub previous_parameters: Vec<String>,
}

/// A stack as `DescribeStacks` shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StackInfo {
    /// Name.
    pub name: String,
    /// Stack ID (an ARN).
    pub id: String,
    /// `CREATE_COMPLETE`, `UPDATE_ROLLBACK_FAILED`, ...
    pub status: String,
    /// Why it is in that status, when CloudFormation says.
    pub reason: Option<String>,
    /// Outputs: key, value, description.
    pub outputs: Vec<StackOutput>,
    /// Parameter values (`****` for `NoEcho` ones).
    pub parameters: Vec<(String, String)>,
}

/// One stack output.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StackOutput {
    /// Output key.
    pub key: String,
    /// Its value.
    pub value: String,
    /// Its description.
    pub description: Option<String>,
}

/// What a change does to a resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Action {
    /// A new resource.
    Add,
    /// An update in place (or a replacement, see [`Replacement`]).
    Modify,
    /// The resource leaves the stack.
    Remove,
    /// Import, dynamic, or an action this version does not know.
    Other,
}

/// CloudFormation's `Replacement` field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replacement {
    /// `True`.
    True,
    /// `Conditional`.
    Conditional,
    /// `False`.
    False,
    /// Not reported (moto never reports it).
    Unknown,
}

/// One property-level detail of a change, when CloudFormation gives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PropertyChange {
    /// Property name (or path).
    pub name: String,
    /// `Always`, `Conditionally`, `Never`.
    pub requires_recreation: Option<String>,
    /// The value before, when reported.
    pub before: Option<String>,
    /// The value after, when reported.
    pub after: Option<String>,
}

/// One resource change of a change set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceChange {
    /// Add, modify, remove.
    pub action: Action,
    /// Logical ID.
    pub logical_id: String,
    /// `AWS::DynamoDB::Table`, ...
    pub resource_type: String,
    /// Physical ID, for existing resources.
    pub physical_id: Option<String>,
    /// CloudFormation's verdict on replacement.
    pub replacement: Replacement,
    /// Property-level details.
    pub details: Vec<PropertyChange>,
}

/// A change set as `DescribeChangeSet` shows it (all pages).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeSetInfo {
    /// `CREATE_PENDING`, `CREATE_IN_PROGRESS`, `CREATE_COMPLETE`, `FAILED`, ...
    pub status: String,
    /// Why, when FAILED.
    pub reason: Option<String>,
    /// The changes.
    pub changes: Vec<ResourceChange>,
}

/// One stack event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackEvent {
    /// Event ID (unique).
    pub id: String,
    /// Seconds since the Unix epoch.
    pub timestamp: i64,
    /// Logical ID (the stack's name for stack-level events).
    pub logical_id: String,
    /// Physical ID, when the resource has one.
    pub physical_id: String,
    /// Resource type.
    pub resource_type: String,
    /// Resource status (`CREATE_FAILED`, ...).
    pub status: String,
    /// The reason, when given.
    pub reason: Option<String>,
}

/// One resource of a stack.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StackResource {
    /// Logical ID (empty for the rows moto shows for types it skipped).
    pub logical_id: String,
    /// Physical ID.
    pub physical_id: String,
    /// Type.
    pub resource_type: String,
    /// Status.
    pub status: String,
}

/// The CloudFormation calls the deploy commands make.
#[allow(async_fn_in_trait)] // used with concrete types on a current-thread runtime
pub trait CloudFormationApi {
    /// `DescribeStacks` for one stack; `None` when it does not exist.
    async fn describe_stack(&self, stack: &str) -> ApiResult<Option<StackInfo>>;
    /// `CreateChangeSet` with CAPABILITY_IAM and CAPABILITY_NAMED_IAM; returns its ID.
    async fn create_change_set(&self, change_set: &NewChangeSet) -> ApiResult<String>;
    /// `DescribeChangeSet`, every page.
    async fn describe_change_set(&self, stack: &str, id: &str) -> ApiResult<ChangeSetInfo>;
    /// `ExecuteChangeSet`.
    async fn execute_change_set(&self, stack: &str, id: &str) -> ApiResult<()>;
    /// `DeleteChangeSet`.
    async fn delete_change_set(&self, stack: &str, id: &str) -> ApiResult<()>;
    /// `DescribeStackEvents`, newest first (the first page is enough: callers
    /// stop at the events they have seen).
    async fn describe_stack_events(&self, stack: &str) -> ApiResult<Vec<StackEvent>>;
    /// `GetTemplate` (the deployed template's text).
    async fn get_template(&self, stack: &str) -> ApiResult<String>;
    /// `ListStackResources`, every page.
    async fn list_stack_resources(&self, stack: &str) -> ApiResult<Vec<StackResource>>;
    /// `DeleteStack`.
    async fn delete_stack(&self, stack: &str) -> ApiResult<()>;
    /// `ContinueUpdateRollback`.
    async fn continue_update_rollback(&self, stack: &str) -> ApiResult<()>;
}

/// The default VPC and two of its subnets in different availability zones.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefaultNetwork {
    /// VPC ID.
    pub vpc: String,
    /// Two subnet IDs, in different availability zones.
    pub subnets: [String; 2],
}

/// The EC2 and STS look-ups.
#[allow(async_fn_in_trait)] // used with concrete types on a current-thread runtime
pub trait Ec2Api {
    /// The default VPC and two subnets in different availability zones.
    async fn default_network(&self) -> ApiResult<DefaultNetwork>;
}
