//! A change set in the review's terms: its resource changes, with the
//! deployed and the new template (parameter values substituted), and the
//! existing resources `up` adopts, become a [`crate::review::Report`]. `up`'s
//! preview, the live `diff` and the data-loss guard all read it, so they
//! use the same grouping, order, replacement prediction and presentation
//! as `diff --against`, with CloudFormation's own `Replacement` added
//! where it gives one.

use std::fmt::Write as _;

use super::adopt::Adoption;
use super::guard::TemplateView;
use crate::aws::cloudformation::{Action, Replacement, ResourceChange};
use crate::review::{self, LiveAction, LiveChange, Report};

/// The review of a change set and of the resources imported before it.
#[must_use]
pub fn report(
    changes: &[ResourceChange],
    imports: &[Adoption],
    old: Option<&TemplateView>,
    new: &TemplateView,
) -> Report {
    let mut live: Vec<LiveChange> = changes
        .iter()
        .map(|c| LiveChange {
            logical_id: c.logical_id.clone(),
            resource_type: c.resource_type.clone(),
            action: match c.action {
                Action::Add => LiveAction::Add,
                Action::Remove => LiveAction::Remove,
                Action::Modify | Action::Other => LiveAction::Modify,
            },
            replacement: match c.replacement {
                Replacement::True => Some("True".to_owned()),
                Replacement::Conditional => Some("Conditional".to_owned()),
                Replacement::False => Some("False".to_owned()),
                Replacement::Unknown => None,
            },
            notes: c
                .details
                .iter()
                .map(|d| {
                    let mut line = format!("CloudFormation: {}", d.name);
                    if let (Some(b), Some(a)) = (&d.before, &d.after) {
                        let _ = write!(line, ": {b} -> {a}");
                    }
                    if let Some(r) = &d.requires_recreation {
                        let _ = write!(line, " (recreation: {r})");
                    }
                    line
                })
                .collect(),
        })
        .collect();
    live.extend(imports.iter().map(|a| LiveChange {
        logical_id: a.logical_id.clone(),
        resource_type: a.resource_type.clone(),
        action: LiveAction::Import,
        replacement: None,
        notes: vec![
            format!("exists: {}; imported, not created", a.name),
            format!("keeps: {}", a.keeps.join("; ")),
            if a.changes.is_empty() {
                "then changes: nothing".to_owned()
            } else {
                format!("then changes: {}", a.changes.join("; "))
            },
        ],
    }));
    let old = old.map(TemplateView::resolved);
    review::compare_live(old.as_ref(), &new.resolved(), &live)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::review::Action as Verdict;

    fn view(key: &str, image: &str) -> TemplateView {
        let text = format!(
            r#"{{"Parameters": {{"AppImage": {{"Type": "String"}}}}, "Resources": {{
              "PlayersTable": {{"Type": "AWS::DynamoDB::Table", "Metadata": {{"c2cfn": {{"x-aws-dynamodb": "players"}}}},
                "Properties": {{"TableName": "p", "KeySchema": [{{"AttributeName": "{key}", "KeyType": "HASH"}}]}}}},
              "AppTaskDefinition": {{"Type": "AWS::ECS::TaskDefinition", "Metadata": {{"c2cfn": {{"service": "app"}}}},
                "Properties": {{"ContainerDefinitions": [{{"Name": "app", "Image": {{"Ref": "AppImage"}}}}]}}}}}}}}"#
        );
        TemplateView::parse(&text, [("AppImage".to_owned(), image.to_owned())].into()).unwrap()
    }

    fn change(id: &str, ty: &str, replacement: Replacement) -> ResourceChange {
        ResourceChange {
            action: Action::Modify,
            logical_id: id.into(),
            resource_type: ty.into(),
            physical_id: None,
            replacement,
            details: Vec::new(),
        }
    }

    #[test]
    fn a_change_set_is_grouped_with_cloudformations_verdict_and_parameter_values() {
        let changes = [
            change(
                "AppTaskDefinition",
                "AWS::ECS::TaskDefinition",
                Replacement::True,
            ),
            change("PlayersTable", "AWS::DynamoDB::Table", Replacement::Unknown),
        ];
        let r = report(
            &changes,
            &[],
            Some(&view("id", "app@sha256:1")),
            &view("player", "app@sha256:2"),
        );
        assert_eq!(
            r.summary,
            "1 service changed, 1 extension changed, 1 table REPLACED — data loss"
        );
        let table = &r.groups[0].changes[0];
        assert_eq!(
            (table.logical_id.as_str(), table.action),
            ("PlayersTable", Verdict::Replace)
        );
        let task = &r.groups[1].changes[0];
        assert_eq!(
            task.action,
            Verdict::Modify,
            "a task definition's replacement is its new revision"
        );
        assert_eq!(task.cloudformation_replacement.as_deref(), Some("True"));
        assert_eq!(task.properties[0].path, "ContainerDefinitions[app].Image");
    }

    #[test]
    fn conditional_replacement_and_details_show_in_every_format() {
        let mut table = change(
            "PlayersTable",
            "AWS::DynamoDB::Table",
            Replacement::Conditional,
        );
        table
            .details
            .push(crate::aws::cloudformation::PropertyChange {
                name: "KeySchema".into(),
                requires_recreation: Some("Conditionally".into()),
                before: None,
                after: None,
            });
        let same = view("id", "app@sha256:1");
        let r = report(&[table], &[], Some(&same), &same);
        let c = &r.groups[0].changes[0];
        assert_eq!(c.action, Verdict::MayReplace);
        assert_eq!(c.cloudformation_replacement.as_deref(), Some("Conditional"));
        assert_eq!(r.data_loss.len(), 1, "a table that may be replaced");
        let ctx = review::present::Context::default();
        let text = review::present::text(&r, &ctx);
        assert!(
            text.contains(
                "  !? MAY REPLACE PlayersTable  DynamoDB::Table  (the template is unchanged here: a parameter value or a resource it references changed; CloudFormation: Replacement=Conditional)\n       CloudFormation: KeySchema (recreation: Conditionally)\n"
            ),
            "{text}"
        );
        let md = review::present::markdown(&r, &ctx);
        assert!(
            md.contains("- **MAY REPLACE** `PlayersTable` <sub>AWS::DynamoDB::Table</sub> — the template is unchanged here: a parameter value or a resource it references changed; CloudFormation: Replacement=Conditional\n  - CloudFormation: KeySchema (recreation: Conditionally)\n"),
            "{md}"
        );
        let json: serde_json::Value =
            serde_json::from_str(&review::present::json(&r, &ctx)).unwrap();
        let c = &json["groups"][0]["changes"][0];
        assert_eq!(c["action"], "may-replace", "{json}");
        assert_eq!(c["cloudformation_replacement"], "Conditional", "{json}");
    }
}
