//! Step Functions ARNs: built and read in one place.
//!
//! Every ARN the service hands out is `arn:<partition>:states:<region>:<account>:<type>:<rest>`,
//! where `<rest>` depends on the resource type:
//!
//! | resource | `<type>:<rest>` |
//! |---|---|
//! | state machine | `stateMachine:<name>` |
//! | version | `stateMachine:<name>:<number>` |
//! | alias | `stateMachine:<name>:<alias>` |
//! | Standard execution | `execution:<state machine>:<name>` |
//! | Express execution | `express:<state machine>:<name>:<id>` |
//! | map run | `mapRun:<state machine>/<label>:<id>` |
//! | activity | `activity:<name>` |
//!
//! [`Scope`] builds them from a partition, region and account: [`Scope::in_region`] takes the
//! partition the region belongs to ([`partition_of`]), as AWS does for the region a request
//! was signed for; [`parse`] and [`parse_machine`] read them back.
//!
//! ```
//! use asl_core::arn::{self, MachineRef, ResourceType, Scope};
//! let scope = Scope::new("us-east-1", "123456789012");
//! let sm = scope.state_machine("orders");
//! assert_eq!(sm, "arn:aws:states:us-east-1:123456789012:stateMachine:orders");
//! assert_eq!(arn::parse_machine(&arn::version(&sm, 2)), Ok(MachineRef::Version(sm.clone(), 2)));
//! let exec = scope.execution("orders", "run-1");
//! assert_eq!(arn::parse(&exec).unwrap().resource, ResourceType::Execution);
//! ```

use std::fmt;

/// The partitions and how their regions are named, as botocore's `partitions.json` lists them
/// (`regionRegex`): (partition, region prefix). The first match wins, so the longer prefixes
/// of the `us-` partitions come before `aws`, which takes every other region.
const PARTITIONS: &[(&str, &str)] = &[
    ("aws-us-gov", "us-gov-"),
    ("aws-iso-b", "us-isob-"),
    ("aws-iso-f", "us-isof-"),
    ("aws-iso", "us-iso-"),
    ("aws-iso-e", "eu-isoe-"),
    ("aws-eusc", "eusc-"),
    ("aws-cn", "cn-"),
];

/// Every partition name an ARN may carry.
pub const PARTITION_NAMES: &[&str] = &[
    "aws",
    "aws-cn",
    "aws-us-gov",
    "aws-iso",
    "aws-iso-b",
    "aws-iso-e",
    "aws-iso-f",
    "aws-eusc",
];

/// The partition a region belongs to: `cn-northwest-1` is in `aws-cn`, `us-gov-west-1` in
/// `aws-us-gov`, `us-isob-east-1` in `aws-iso-b`; a region of no other partition (new or
/// unknown ones too, as the SDKs resolve them) is in `aws`.
pub fn partition_of(region: &str) -> &'static str {
    PARTITIONS
        .iter()
        .find(|(_, prefix)| region.starts_with(prefix))
        .map_or("aws", |(p, _)| p)
}

/// The partition, region and account ARNs are made in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// One of [`PARTITION_NAMES`] (`aws`, `aws-cn`, `aws-us-gov`, ...).
    pub partition: String,
    /// The region (`us-east-1`).
    pub region: String,
    /// The account id.
    pub account: String,
}

impl Scope {
    /// A scope in the `aws` partition.
    pub fn new(region: impl Into<String>, account: impl Into<String>) -> Scope {
        Scope {
            partition: "aws".into(),
            region: region.into(),
            account: account.into(),
        }
    }

    /// A scope in `region`'s partition ([`partition_of`]).
    pub fn in_region(region: impl Into<String>, account: impl Into<String>) -> Scope {
        let region = region.into();
        Scope {
            partition: partition_of(&region).into(),
            region,
            account: account.into(),
        }
    }

    /// The scope a Step Functions ARN was made in; `None` when it is not one.
    pub fn of_arn(arn: &str) -> Option<Scope> {
        let a = parse(arn).ok()?;
        Some(Scope {
            partition: a.partition.into(),
            region: a.region.into(),
            account: a.account.into(),
        })
    }

    /// The prefix every ARN of this scope with the resource type `resource` starts with
    /// (`arn:aws:states:us-east-1:123456789012:stateMachine:`).
    pub fn prefix(&self, resource: ResourceType<'_>) -> String {
        self.states(resource.as_str(), format_args!(""))
    }

    fn states(&self, resource: &str, rest: fmt::Arguments<'_>) -> String {
        format!(
            "arn:{}:states:{}:{}:{resource}:{rest}",
            self.partition, self.region, self.account
        )
    }

    /// A state machine's ARN.
    pub fn state_machine(&self, name: &str) -> String {
        self.states("stateMachine", format_args!("{name}"))
    }

    /// An activity's ARN.
    pub fn activity(&self, name: &str) -> String {
        self.states("activity", format_args!("{name}"))
    }

    /// The ARN of a Standard execution `name` of the state machine `state_machine` (its name).
    pub fn execution(&self, state_machine: &str, name: &str) -> String {
        self.states("execution", format_args!("{state_machine}:{name}"))
    }

    /// The ARN of an Express execution: its name is not unique, so an `id` follows it.
    pub fn express_execution(&self, state_machine: &str, name: &str, id: &str) -> String {
        self.states("express", format_args!("{state_machine}:{name}:{id}"))
    }

    /// The ARN of a map run of the Map state labelled `label`.
    pub fn map_run(&self, state_machine: &str, label: &str, id: &str) -> String {
        self.states("mapRun", format_args!("{state_machine}/{label}:{id}"))
    }

    /// The prefix every activity ARN of this scope starts with.
    pub fn activity_prefix(&self) -> String {
        self.prefix(ResourceType::Activity)
    }
}

/// A version's ARN: its state machine's ARN and its number.
pub fn version(state_machine_arn: &str, number: u64) -> String {
    format!("{state_machine_arn}:{number}")
}

/// An alias's ARN: its state machine's ARN and its name.
pub fn alias(state_machine_arn: &str, name: &str) -> String {
    format!("{state_machine_arn}:{name}")
}

/// The resource type of a Step Functions ARN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceType<'a> {
    /// `stateMachine` (a state machine, version or alias).
    StateMachine,
    /// `execution` (a Standard execution).
    Execution,
    /// `express` (an Express execution).
    Express,
    /// `mapRun`.
    MapRun,
    /// `activity`.
    Activity,
    /// Any other (kept as written).
    Other(&'a str),
}

impl<'a> ResourceType<'a> {
    fn from_str(s: &'a str) -> ResourceType<'a> {
        match s {
            "stateMachine" => ResourceType::StateMachine,
            "execution" => ResourceType::Execution,
            "express" => ResourceType::Express,
            "mapRun" => ResourceType::MapRun,
            "activity" => ResourceType::Activity,
            other => ResourceType::Other(other),
        }
    }

    /// The type as an ARN spells it.
    pub fn as_str(self) -> &'a str {
        match self {
            ResourceType::StateMachine => "stateMachine",
            ResourceType::Execution => "execution",
            ResourceType::Express => "express",
            ResourceType::MapRun => "mapRun",
            ResourceType::Activity => "activity",
            ResourceType::Other(s) => s,
        }
    }
}

/// The parts of a Step Functions ARN.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arn<'a> {
    /// The partition.
    pub partition: &'a str,
    /// The region.
    pub region: &'a str,
    /// The account.
    pub account: &'a str,
    /// The resource type.
    pub resource: ResourceType<'a>,
    /// The `:`-separated parts after the resource type (none empty).
    pub parts: Vec<&'a str>,
}

/// Why a text is not the ARN expected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("Invalid Arn: '{0}'")]
pub struct ArnError(pub String);

/// Reads a Step Functions ARN: a known partition, the `states` service, a region, an account,
/// a resource type and at least one part after it, with no part empty.
pub fn parse(arn: &str) -> Result<Arn<'_>, ArnError> {
    let bad = || ArnError(arn.to_string());
    let mut it = arn.split(':');
    let partition = match (it.next(), it.next(), it.next()) {
        (Some("arn"), Some(p), Some("states")) if PARTITION_NAMES.contains(&p) => p,
        _ => return Err(bad()),
    };
    let (Some(region), Some(account), Some(kind)) = (it.next(), it.next(), it.next()) else {
        return Err(bad());
    };
    let parts: Vec<&str> = it.collect();
    if region.is_empty() || account.is_empty() || parts.is_empty() || parts.contains(&"") {
        return Err(bad());
    }
    Ok(Arn {
        partition,
        region,
        account,
        resource: ResourceType::from_str(kind),
        parts,
    })
}

/// Whether `arn` is an IAM role's ARN, `arn:<partition>:iam::<account>:role/<path><name>`:
/// a known partition, no region, a 12-digit account, and a role name (with an optional path)
/// of the characters IAM allows (`A-Za-z0-9` and `+=,.@_-`, `/` between path parts).
pub fn is_iam_role(arn: &str) -> bool {
    let mut it = arn.splitn(6, ':');
    let (Some("arn"), Some(p), Some("iam"), Some(""), Some(account), Some(resource)) = (
        it.next(),
        it.next(),
        it.next(),
        it.next(),
        it.next(),
        it.next(),
    ) else {
        return false;
    };
    let name_char = |c: char| c.is_ascii_alphanumeric() || "+=,.@_-/".contains(c);
    PARTITION_NAMES.contains(&p)
        && account.len() == 12
        && account.bytes().all(|b| b.is_ascii_digit())
        && resource
            .strip_prefix("role/")
            .is_some_and(|r| !r.is_empty() && !r.ends_with('/') && r.chars().all(name_char))
}

/// What a `stateMachine` ARN names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MachineRef {
    /// The state machine itself.
    Machine(String),
    /// A version: (state machine ARN, version number).
    Version(String, u64),
    /// An alias: (state machine ARN, alias name).
    Alias(String, String),
}

impl MachineRef {
    /// The state machine's ARN.
    pub fn machine_arn(&self) -> &str {
        match self {
            MachineRef::Machine(a) | MachineRef::Version(a, _) | MachineRef::Alias(a, _) => a,
        }
    }
}

/// Reads a `stateMachine` ARN: plain, `:<version number>` or `:<alias name>`.
pub fn parse_machine(arn: &str) -> Result<MachineRef, ArnError> {
    let a = parse(arn)?;
    if a.resource != ResourceType::StateMachine || a.parts.len() > 2 {
        return Err(ArnError(arn.to_string()));
    }
    let base = arn.split(':').take(7).collect::<Vec<_>>().join(":");
    match a.parts.get(1) {
        None => Ok(MachineRef::Machine(base)),
        Some(q) if q.bytes().all(|b| b.is_ascii_digit()) => q
            .parse()
            .map(|n| MachineRef::Version(base, n))
            .map_err(|_| ArnError(arn.to_string())),
        Some(q) => Ok(MachineRef::Alias(base, (*q).to_string())),
    }
}

/// The name in a state machine ARN (its last part; the whole text if it has no `:`).
pub fn state_machine_name(state_machine_arn: &str) -> &str {
    state_machine_arn.rsplit(':').next().unwrap_or_default()
}

/// The ARN of the state machine an execution ARN (Standard or Express) belongs to, read
/// without checking the rest; `None` when it has too few parts.
pub fn state_machine_of_execution(execution_arn: &str) -> Option<String> {
    let parts: Vec<&str> = execution_arn.split(':').collect();
    match parts.as_slice() {
        [a, p, s, r, acct, _, sm, ..] => Some(format!("{a}:{p}:{s}:{r}:{acct}:stateMachine:{sm}")),
        _ => None,
    }
}

/// Whether `arn` names an Express execution (resource type `express`), read without
/// checking the rest.
pub fn is_express_execution(arn: &str) -> bool {
    arn.split(':').nth(5) == Some("express")
}

#[cfg(test)]
mod tests {
    use super::*;

    const SM: &str = "arn:aws:states:us-east-1:123456789012:stateMachine:m";

    fn scope() -> Scope {
        Scope::new("us-east-1", "123456789012")
    }

    #[test]
    fn builds_every_resource_type() {
        let s = scope();
        let p = "arn:aws:states:us-east-1:123456789012";
        for (built, expected) in [
            (s.state_machine("m"), format!("{p}:stateMachine:m")),
            (version(SM, 3), format!("{p}:stateMachine:m:3")),
            (alias(SM, "prod"), format!("{p}:stateMachine:m:prod")),
            (s.execution("m", "e"), format!("{p}:execution:m:e")),
            (
                s.express_execution("m", "e", "id"),
                format!("{p}:express:m:e:id"),
            ),
            (s.map_run("m", "Map", "id"), format!("{p}:mapRun:m/Map:id")),
            (s.activity("a"), format!("{p}:activity:a")),
            (s.activity_prefix(), format!("{p}:activity:")),
        ] {
            assert_eq!(built, expected);
        }
        let cn = Scope {
            partition: "aws-cn".into(),
            ..Scope::new("cn-north-1", "1")
        };
        assert_eq!(
            cn.state_machine("m"),
            "arn:aws-cn:states:cn-north-1:1:stateMachine:m"
        );
    }

    #[test]
    fn partitions_by_region() {
        for (region, partition) in [
            ("us-east-1", "aws"),
            ("us-west-2", "aws"),
            ("eu-central-1", "aws"),
            ("ap-southeast-5", "aws"),
            ("il-central-1", "aws"),
            ("mx-central-1", "aws"),
            ("cn-north-1", "aws-cn"),
            ("cn-northwest-1", "aws-cn"),
            ("us-gov-west-1", "aws-us-gov"),
            ("us-gov-east-1", "aws-us-gov"),
            ("us-iso-east-1", "aws-iso"),
            ("us-iso-west-1", "aws-iso"),
            ("us-isob-east-1", "aws-iso-b"),
            ("eu-isoe-west-1", "aws-iso-e"),
            ("us-isof-south-1", "aws-iso-f"),
            ("us-isof-east-1", "aws-iso-f"),
            ("eusc-de-east-1", "aws-eusc"),
            ("moon-base-1", "aws"),
        ] {
            assert_eq!(partition_of(region), partition, "{region}");
            let scope = Scope::in_region(region, "123456789012");
            let arn = scope.state_machine("m");
            assert_eq!(
                arn,
                format!("arn:{partition}:states:{region}:123456789012:stateMachine:m")
            );
            assert_eq!(Scope::of_arn(&arn), Some(scope.clone()), "{arn}");
            assert!(arn.starts_with(&scope.prefix(ResourceType::StateMachine)));
        }
        assert_eq!(Scope::of_arn("arn:aws:lambda:r:1:function:f"), None);
    }

    #[test]
    fn parses_what_it_builds() {
        let s = scope();
        for (arn, resource, parts) in [
            (s.state_machine("m"), ResourceType::StateMachine, 1),
            (s.execution("m", "e"), ResourceType::Execution, 2),
            (s.express_execution("m", "e", "i"), ResourceType::Express, 3),
            (s.map_run("m", "L", "i"), ResourceType::MapRun, 2),
            (s.activity("a"), ResourceType::Activity, 1),
        ] {
            let a = parse(&arn).unwrap();
            assert_eq!(
                (a.partition, a.region, a.account),
                ("aws", "us-east-1", "123456789012")
            );
            assert_eq!((a.resource, a.parts.len()), (resource, parts), "{arn}");
        }
        let other = parse("arn:aws:states:r:a:thing:x").unwrap();
        assert_eq!(other.resource, ResourceType::Other("thing"));
        assert_eq!(other.resource.as_str(), "thing");
    }

    #[test]
    fn rejects_what_is_not_a_states_arn() {
        for bad in [
            "",
            "nope",
            "arn:aws:lambda:us-east-1:1:function:f",
            "arn:other:states:us-east-1:1:activity:a",
            "arn:aws:states::1:activity:a",
            "arn:aws:states:r::activity:a",
            "arn:aws:states:r:1:activity",
            "arn:aws:states:r:1:activity:",
            "arn:aws:states:r:1:execution:m::e",
        ] {
            assert_eq!(parse(bad), Err(ArnError(bad.into())), "{bad:?}");
        }
        assert_eq!(
            ArnError("x".into()).to_string(),
            "Invalid Arn: 'x'",
            "the API's message"
        );
    }

    #[test]
    fn iam_roles() {
        for (arn, ok) in [
            ("arn:aws:iam::123456789012:role/r", true),
            (
                "arn:aws:iam::123456789012:role/service-role/Sfn-x_y+z=,.@-1",
                true,
            ),
            ("arn:aws-cn:iam::123456789012:role/r", true),
            ("arn:aws-iso-f:iam::123456789012:role/r", true),
            ("arn:aws:iam::123456789012:policy/p", false),
            ("arn:aws:iam::aws:policy/AWSBatchFullAccess", false),
            ("arn:aws:iam:us-east-1:123456789012:role/r", false),
            ("arn:aws:iam::123456789012:role/", false),
            ("arn:aws:iam::123456789012:role/path/", false),
            ("arn:aws:iam::12345:role/r", false),
            ("arn:other:iam::123456789012:role/r", false),
            ("arn:aws:iam::123456789012:role/has space", false),
            ("arn:aws:sts::123456789012:assumed-role/r/s", false),
            ("not-an-arn", false),
            ("", false),
        ] {
            assert_eq!(is_iam_role(arn), ok, "{arn}");
        }
    }

    #[test]
    fn machine_arns() {
        assert_eq!(parse_machine(SM), Ok(MachineRef::Machine(SM.into())));
        assert_eq!(
            parse_machine(&format!("{SM}:3")),
            Ok(MachineRef::Version(SM.into(), 3))
        );
        let alias = parse_machine(&format!("{SM}:prod")).unwrap();
        assert_eq!(alias, MachineRef::Alias(SM.into(), "prod".into()));
        assert_eq!(alias.machine_arn(), SM);
        for bad in [
            "arn:aws:states:us-east-1:123456789012:activity:a",
            "arn:aws:states:us-east-1:123456789012:stateMachine:m:1:2",
            "arn:aws:states:us-east-1:123456789012:stateMachine:m:99999999999999999999999",
        ] {
            assert!(parse_machine(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn names_and_express_executions() {
        assert_eq!(state_machine_name(SM), "m");
        assert!(is_express_execution(
            &scope().express_execution("m", "e", "i")
        ));
        assert!(!is_express_execution(&scope().execution("m", "e")));
        for exec in [
            scope().execution("m", "e"),
            scope().express_execution("m", "e", "i"),
        ] {
            assert_eq!(state_machine_of_execution(&exec).as_deref(), Some(SM));
        }
        assert_eq!(state_machine_of_execution("arn:aws:states:r"), None);
    }
}
