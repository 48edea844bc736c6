//! The state machine against a scripted CloudFormation: what the local
//! stand-in cannot produce (replacement flags, in-progress stacks, failed
//! rollbacks, root causes) and both forms of "no changes".

use std::collections::VecDeque;

use super::interrupt::Checkpoint;
use super::plan::{Options, Outcome};
use super::testing::deployer;
use super::ui::Scripted;
use super::{Failure, Stop};
use crate::aws::ApiError;
use crate::aws::cloudformation::{
    Action, ChangeSetInfo, Replacement, ResourceChange, StackResource,
};
use crate::aws::fake::{FakeCfn, State, event, stack};
use crate::aws::testing::block;

const TABLE_V1: &str = r#"{"Resources": {
  "Table": {"Type": "AWS::DynamoDB::Table", "DeletionPolicy": "Retain", "Properties": {
    "TableName": "game-players",
    "KeySchema": [{"AttributeName": "id", "KeyType": "HASH"}],
    "AttributeDefinitions": [{"AttributeName": "id", "AttributeType": "S"}]}},
  "Service": {"Type": "AWS::ECS::Service", "Properties": {"DesiredCount": 1}}}}"#;

fn change(action: Action, id: &str, ty: &str, replacement: Replacement) -> ResourceChange {
    ResourceChange {
        action,
        logical_id: id.into(),
        resource_type: ty.into(),
        physical_id: None,
        replacement,
        details: Vec::new(),
    }
}

#[allow(clippy::unnecessary_wraps)] // assigned to an Option field
fn ready(changes: Vec<ResourceChange>) -> Option<ChangeSetInfo> {
    Some(ChangeSetInfo {
        status: "CREATE_COMPLETE".into(),
        reason: None,
        changes,
    })
}

fn deployed(status: &str) -> State {
    State {
        stack: Some(stack(status)),
        template: TABLE_V1.into(),
        ..State::default()
    }
}

struct Run {
    result: Result<Outcome, Failure>,
    out: String,
    asked: Vec<String>,
    calls: Vec<String>,
}

fn run(state: State, template: &str, answers: &[bool], options: Options, execute: bool) -> Run {
    let cfn = FakeCfn(std::cell::RefCell::new(state));
    let mut out = Vec::new();
    let mut prompt = Scripted {
        answers: answers.to_vec(),
        asked: Vec::new(),
    };
    let result = {
        let checkpoint = Checkpoint::default();
        let mut d = deployer(&cfn, &mut out, &mut prompt, &checkpoint);
        d.options = options;
        block(d.run(template, &[], execute))
    };
    Run {
        result,
        out: String::from_utf8_lossy(&out).into_owned(),
        asked: prompt.asked,
        calls: cfn.calls(),
    }
}

fn up(state: State, template: &str, answers: &[bool]) -> Run {
    run(state, template, answers, Options::default(), true)
}

#[test]
fn cloudformation_replacement_of_a_table_is_refused_and_the_change_set_deleted() {
    let mut s = deployed("UPDATE_COMPLETE");
    s.change_set = ready(vec![change(
        Action::Modify,
        "Table",
        "AWS::DynamoDB::Table",
        Replacement::True,
    )]);
    let r = up(s, TABLE_V1, &[true]);
    let f = r.result.expect_err("refused");
    assert_eq!(f.stop, Stop::Refused);
    assert!(
        f.message
            .contains("Table (AWS::DynamoDB::Table) would be replaced"),
        "{}",
        f.message
    );
    assert!(r.calls.contains(&"delete_change_set".into()));
    assert!(!r.calls.contains(&"execute_change_set".into()));
    assert!(r.asked.is_empty(), "refused before asking");
    assert!(
        r.out.contains("  !! REPLACE Table  DynamoDB::Table  ("),
        "{}",
        r.out
    );
}

#[test]
fn a_key_change_is_seen_without_cloudformation_reporting_replacement() {
    let new = TABLE_V1.replace(
        r#"[{"AttributeName": "id", "KeyType": "HASH"}]"#,
        r#"[{"AttributeName": "id", "KeyType": "HASH"}, {"AttributeName": "at", "KeyType": "RANGE"}]"#,
    );
    let changes = vec![change(
        Action::Modify,
        "Table",
        "AWS::DynamoDB::Table",
        Replacement::Unknown,
    )];
    let mut s = deployed("UPDATE_COMPLETE");
    s.change_set = ready(changes.clone());
    let r = up(s, &new, &[true]);
    let f = r.result.expect_err("refused");
    assert!(
        f.message.contains("changes create-only KeySchema"),
        "{}",
        f.message
    );
    assert!(!r.calls.contains(&"execute_change_set".into()));

    // The same with --allow-data-loss deploys, loudly.
    let mut s = deployed("UPDATE_COMPLETE");
    s.change_set = ready(changes);
    s.after_execute = Some(("UPDATE_COMPLETE".into(), vec![]));
    let r = run(
        s,
        &new,
        &[true],
        Options {
            allow_data_loss: true,
            no_wait: false,
            ..Options::default()
        },
        true,
    );
    assert_eq!(r.result, Ok(Outcome::Deployed));
    assert!(
        r.out.contains("WARNING: this change would lose data"),
        "{}",
        r.out
    );
}

#[test]
fn a_key_attribute_type_change_is_a_replacement() {
    let new = TABLE_V1.replace(r#""AttributeType": "S""#, r#""AttributeType": "N""#);
    let mut s = deployed("UPDATE_COMPLETE");
    s.change_set = ready(vec![change(
        Action::Modify,
        "Table",
        "AWS::DynamoDB::Table",
        Replacement::Unknown,
    )]);
    let f = up(s, &new, &[true]).result.expect_err("refused");
    assert!(
        f.message.contains("type of a key attribute"),
        "{}",
        f.message
    );
}

#[test]
fn removing_a_retained_table_is_allowed_but_an_unretained_one_is_not() {
    let without_table = r#"{"Resources": {"Service": {"Type": "AWS::ECS::Service", "Properties": {"DesiredCount": 1}}}}"#;
    let remove = vec![change(
        Action::Remove,
        "Table",
        "AWS::DynamoDB::Table",
        Replacement::Unknown,
    )];
    let mut s = deployed("UPDATE_COMPLETE");
    s.change_set = ready(remove.clone());
    s.after_execute = Some(("UPDATE_COMPLETE".into(), vec![]));
    let r = up(s, without_table, &[true]);
    assert_eq!(r.result, Ok(Outcome::Deployed));
    assert!(
        r.out.contains("DeletionPolicy: Retain keeps it"),
        "{}",
        r.out
    );

    let mut s = deployed("UPDATE_COMPLETE");
    s.template = TABLE_V1.replace(r#""DeletionPolicy": "Retain", "#, "");
    s.change_set = ready(remove);
    let f = up(s, without_table, &[true]).result.expect_err("refused");
    assert!(f.message.contains("deleted with its data"), "{}", f.message);
}

#[test]
fn replacements_are_listed_first() {
    let mut s = deployed("UPDATE_COMPLETE");
    s.change_set = ready(vec![
        change(
            Action::Add,
            "NewThing",
            "AWS::Logs::LogGroup",
            Replacement::Unknown,
        ),
        change(
            Action::Modify,
            "Service",
            "AWS::ECS::Service",
            Replacement::False,
        ),
        change(
            Action::Modify,
            "TaskDefinition",
            "AWS::ECS::TaskDefinition",
            Replacement::True,
        ),
    ]);
    let r = run(s, TABLE_V1, &[], Options::default(), false);
    assert_eq!(r.result, Ok(Outcome::WouldChange));
    let lines: Vec<&str> = r.out.lines().collect();
    // The review's presentation: a resource the deployed template does not
    // hold may be replaced whatever CloudFormation says (the more dangerous
    // verdict wins); a task definition's Replacement=True is its new
    // revision.
    assert_eq!(
        lines[..8],
        [
            "Update stack game: 3 changes",
            "shared resources changed",
            "resources: 1 may be replaced, 1 modified, 1 added",
            "",
            "other resources (shared by the project)",
            "  !? MAY REPLACE TaskDefinition  ECS::TaskDefinition  (the deployed template could not be compared; CloudFormation: Replacement=True)",
            "  ~  modify      Service         ECS::Service  (the template is unchanged here: a parameter value or a resource it references changed; CloudFormation: Replacement=False)",
            "  +  add         NewThing        Logs::LogGroup",
        ],
        "{lines:?}"
    );
    assert!(
        r.calls.contains(&"delete_change_set".into()),
        "diff deletes its change set"
    );
}

#[test]
fn no_changes_when_create_change_set_itself_fails() {
    let mut s = deployed("UPDATE_COMPLETE");
    s.create_errors = VecDeque::from([ApiError::new(
        "ValidationError",
        "No updates are to be performed.",
    )]);
    let r = up(s, TABLE_V1, &[]);
    assert_eq!(r.result, Ok(Outcome::NoChanges));
    assert!(r.out.contains("No changes"));
    assert!(!r.calls.contains(&"execute_change_set".into()));
}

#[test]
fn no_changes_when_the_change_set_fails_and_it_is_deleted() {
    let mut s = deployed("UPDATE_COMPLETE");
    s.change_set = Some(ChangeSetInfo {
        status: "FAILED".into(),
        reason: Some("The submitted information didn't contain changes. Submit different information to create a change set.".into()),
        changes: vec![],
    });
    let r = up(s, TABLE_V1, &[]);
    assert_eq!(r.result, Ok(Outcome::NoChanges));
    assert_eq!(
        r.calls,
        vec!["create_change_set Update", "delete_change_set"]
    );
}

#[test]
fn rollback_complete_shows_why_then_recreates_after_confirmation() {
    let mut s = deployed("ROLLBACK_COMPLETE");
    s.events = vec![
        event(3, "game", "ROLLBACK_COMPLETE", None),
        event(
            2,
            "Cluster",
            "CREATE_FAILED",
            Some("Resource creation cancelled"),
        ),
        event(
            1,
            "Service",
            "CREATE_FAILED",
            Some("Invalid image reference"),
        ),
    ];
    s.change_set = ready(vec![change(
        Action::Add,
        "Service",
        "AWS::ECS::Service",
        Replacement::Unknown,
    )]);
    s.after_execute = Some(("CREATE_COMPLETE".into(), vec![]));
    let r = up(s, TABLE_V1, &[true, true]);
    assert_eq!(r.result, Ok(Outcome::Deployed));
    assert!(
        r.out
            .contains("Service (AWS::ECS::Service) CREATE_FAILED: Invalid image reference"),
        "{}",
        r.out
    );
    assert!(r.asked[0].contains("failed to create"), "{:?}", r.asked);
    assert_eq!(r.calls[0], "delete_stack");
    assert_eq!(r.calls[1], "create_change_set Create");

    // Declined: nothing is deleted.
    let r = up(deployed("ROLLBACK_COMPLETE"), TABLE_V1, &[false]);
    assert!(r.result.is_err());
    assert!(r.calls.is_empty(), "{:?}", r.calls);
}

#[test]
fn another_operation_is_waited_for_or_refused_with_no_wait() {
    let mut s = deployed("UPDATE_IN_PROGRESS");
    s.statuses = VecDeque::from([
        "UPDATE_IN_PROGRESS".to_owned(),
        "UPDATE_IN_PROGRESS".into(),
        "UPDATE_COMPLETE".into(),
    ]);
    s.create_errors = VecDeque::from([ApiError::new(
        "ValidationError",
        "No updates are to be performed.",
    )]);
    let r = up(s, TABLE_V1, &[]);
    assert_eq!(r.result, Ok(Outcome::NoChanges));
    assert!(
        r.out.contains("another operation is running; waiting"),
        "{}",
        r.out
    );

    let r = run(
        deployed("UPDATE_IN_PROGRESS"),
        TABLE_V1,
        &[],
        Options {
            allow_data_loss: false,
            no_wait: true,
            ..Options::default()
        },
        true,
    );
    let f = r.result.expect_err("refused");
    assert!(
        f.message.contains("busy: UPDATE_IN_PROGRESS"),
        "{}",
        f.message
    );
    assert!(r.calls.is_empty());
}

#[test]
fn a_failed_update_reports_the_root_cause_first_and_exits_5() {
    let mut s = deployed("UPDATE_COMPLETE");
    s.change_set = ready(vec![change(
        Action::Modify,
        "Service",
        "AWS::ECS::Service",
        Replacement::False,
    )]);
    s.after_execute = Some((
        "UPDATE_ROLLBACK_COMPLETE".into(),
        vec![
            event(10, "game", "UPDATE_IN_PROGRESS", Some("User Initiated")),
            event(
                11,
                "Service",
                "UPDATE_FAILED",
                Some("Service did not stabilize: CannotPullContainerError"),
            ),
            event(
                12,
                "Other",
                "UPDATE_FAILED",
                Some("Resource update cancelled"),
            ),
            event(13, "game", "UPDATE_ROLLBACK_COMPLETE", None),
        ],
    ));
    let r = up(s, TABLE_V1, &[true]);
    let f = r.result.expect_err("failed");
    assert_eq!(f.stop, Stop::Failed);
    let cause = f
        .message
        .find("CannotPullContainerError")
        .expect("root cause shown");
    let status = f
        .message
        .find("UPDATE_ROLLBACK_COMPLETE")
        .expect("final status shown");
    assert!(cause < status, "{}", f.message);
    assert!(
        !f.message.contains("Other (AWS"),
        "the cascade is not a root cause: {}",
        f.message
    );
    assert!(
        f.message.contains("1 other resource(s) were cancelled"),
        "{}",
        f.message
    );
}

#[test]
fn update_rollback_failed_offers_to_continue_the_rollback() {
    let mut s = deployed("UPDATE_ROLLBACK_FAILED");
    s.after_execute = Some(("UPDATE_ROLLBACK_COMPLETE".into(), vec![]));
    s.create_errors = VecDeque::from([ApiError::new(
        "ValidationError",
        "No updates are to be performed.",
    )]);
    let r = up(s, TABLE_V1, &[true]);
    assert_eq!(r.result, Ok(Outcome::NoChanges));
    assert!(r.asked[0].contains("Continue the rollback"));
    assert_eq!(r.calls[0], "continue_update_rollback");
}

#[test]
fn without_a_terminal_nothing_is_executed_and_a_new_stack_is_cleaned_up() {
    let s = State {
        change_set: ready(vec![change(
            Action::Add,
            "Service",
            "AWS::ECS::Service",
            Replacement::Unknown,
        )]),
        ..State::default()
    };
    let r = up(s, TABLE_V1, &[]);
    let f = r.result.expect_err("no terminal");
    assert!(f.message.contains("-y/--yes"), "{}", f.message);
    assert_eq!(
        r.calls,
        vec![
            "create_change_set Create",
            "delete_change_set",
            "delete_stack"
        ]
    );
}

#[test]
fn down_lists_the_retained_table() {
    let mut s = deployed("UPDATE_COMPLETE");
    s.resources = vec![
        StackResource {
            logical_id: "Table".into(),
            physical_id: "game-players".into(),
            resource_type: "AWS::DynamoDB::Table".into(),
            status: "CREATE_COMPLETE".into(),
        },
        StackResource {
            logical_id: String::new(),
            physical_id: String::new(),
            resource_type: String::new(),
            status: "CREATE_COMPLETE".into(),
        },
    ];
    let cfn = FakeCfn(std::cell::RefCell::new(s));
    let mut out = Vec::new();
    let mut prompt = Scripted {
        answers: vec![true],
        asked: Vec::new(),
    };
    let kept = block(deployer(&cfn, &mut out, &mut prompt, &Checkpoint::default()).down())
        .expect("deleted");
    assert_eq!(kept.len(), 1);
    assert!(
        kept[0]
            .describe("eu-west-1")
            .contains("aws dynamodb delete-table --region eu-west-1 --table-name game-players")
    );
}

#[test]
fn ctrl_c_at_the_confirmation_deletes_the_change_set_and_the_new_stack() {
    use super::interrupt::{Stage, interrupted};
    let cfn = FakeCfn::default();
    let stage = Stage::ChangeSet {
        id: "c2cfn-1".into(),
        new_stack: true,
    };
    let f = block(interrupted(&stage, Some(&cfn), "game"));
    assert_eq!(f.stop, Stop::Interrupted);
    assert!(
        f.message.contains("the change set was deleted"),
        "{}",
        f.message
    );
    assert_eq!(cfn.calls(), ["delete_change_set", "delete_stack"]);

    // While watching: nothing is touched, the operation goes on.
    let cfn = FakeCfn::default();
    let f = block(interrupted(&Stage::Running, Some(&cfn), "game"));
    assert_eq!(f.stop, Stop::Interrupted);
    assert!(f.message.contains("goes on"), "{}", f.message);
    assert!(cfn.calls().is_empty());
}

#[test]
fn the_checkpoint_follows_the_run() {
    use super::interrupt::Stage;
    // Declined: the change set is discarded, nothing pending any more.
    let s = State {
        stack: None,
        change_set: Some(ChangeSetInfo {
            status: "CREATE_COMPLETE".into(),
            reason: None,
            changes: vec![change(
                Action::Add,
                "Service",
                "AWS::ECS::Service",
                Replacement::False,
            )],
        }),
        ..State::default()
    };
    let cfn = FakeCfn(std::cell::RefCell::new(s));
    let checkpoint = Checkpoint::default();
    let mut out = Vec::new();
    let mut prompt = Scripted {
        answers: vec![false],
        asked: Vec::new(),
    };
    let mut d = deployer(&cfn, &mut out, &mut prompt, &checkpoint);
    let r = block(d.run(TABLE_V1, &[], true));
    assert!(r.is_err());
    assert_eq!(checkpoint.get(), Stage::Preparing);
}

/// `up --json`: the run records the plan and the result.
fn up_recorded(
    state: State,
    template: &str,
) -> (
    Result<Outcome, Failure>,
    serde_json::Map<String, serde_json::Value>,
) {
    let cfn = FakeCfn(std::cell::RefCell::new(state));
    let mut out = Vec::new();
    let mut prompt = Scripted {
        answers: vec![true],
        asked: Vec::new(),
    };
    let mut record = serde_json::Map::new();
    let result = {
        let checkpoint = Checkpoint::default();
        let mut d = deployer(&cfn, &mut out, &mut prompt, &checkpoint);
        d.record = Some(&mut record);
        block(d.run(template, &[], true))
    };
    (result, record)
}

#[test]
fn up_json_records_the_plan_and_the_result() {
    let mut s = deployed("UPDATE_COMPLETE");
    s.change_set = ready(vec![change(
        Action::Modify,
        "Service",
        "AWS::ECS::Service",
        Replacement::False,
    )]);
    let (result, record) = up_recorded(s, TABLE_V1);
    assert_eq!(result, Ok(Outcome::Deployed));
    assert_eq!(record["plan"]["action"], "update");
    // The plan is the review's JSON (`diff --json`): groups of changes.
    let changes: Vec<serde_json::Value> = record["plan"]["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .flat_map(|g| g["changes"].as_array().cloned().unwrap_or_default())
        .collect();
    assert_eq!(changes.len(), 1, "{}", record["plan"]);
    assert_eq!(changes[0]["logical_id"], "Service");
    assert_eq!(changes[0]["action"], "modify");
    assert_eq!(record["imports"], serde_json::json!([]));
    assert_eq!(record["result"]["status"], "UPDATE_COMPLETE");
    assert!(record["result"]["outputs"].is_object());

    let mut s = deployed("UPDATE_COMPLETE");
    s.create_errors = VecDeque::from([ApiError::new(
        "ValidationError",
        "No updates are to be performed.",
    )]);
    let (result, record) = up_recorded(s, TABLE_V1);
    assert_eq!(result, Ok(Outcome::NoChanges));
    assert_eq!(record["plan"]["action"], "none");
    assert_eq!(record["result"]["status"], "no_changes");
}

#[test]
fn up_json_records_the_root_cause_of_a_failure() {
    let mut s = deployed("UPDATE_COMPLETE");
    s.change_set = ready(vec![change(
        Action::Modify,
        "Service",
        "AWS::ECS::Service",
        Replacement::False,
    )]);
    s.after_execute = Some((
        "UPDATE_ROLLBACK_COMPLETE".into(),
        vec![
            event(10, "game", "UPDATE_IN_PROGRESS", Some("User Initiated")),
            event(
                11,
                "Service",
                "UPDATE_FAILED",
                Some("Service did not stabilize: CannotPullContainerError"),
            ),
            event(
                12,
                "Other",
                "UPDATE_FAILED",
                Some("Resource update cancelled"),
            ),
            event(13, "game", "UPDATE_ROLLBACK_COMPLETE", None),
        ],
    ));
    let (result, record) = up_recorded(s, TABLE_V1);
    assert_eq!(result.expect_err("failed").stop, Stop::Failed);
    assert_eq!(record["plan"]["action"], "update");
    assert_eq!(record["result"]["status"], "UPDATE_ROLLBACK_COMPLETE");
    let causes = record["result"]["root_cause"].as_array().expect("causes");
    assert_eq!(causes.len(), 1, "the cascade is not a cause: {causes:?}");
    assert_eq!(causes[0]["logical_id"], "Service");
    assert_eq!(causes[0]["status"], "UPDATE_FAILED");
    assert_eq!(
        causes[0]["reason"],
        "Service did not stabilize: CannotPullContainerError"
    );
}
