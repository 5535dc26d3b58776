//! What each column of the `cloudtrail` table holds, in one line, grouped the way an
//! investigation reads a record: who, what was asked, what came back, from where,
//! and where the row came from. Kept beside the schema so a new column gets its line
//! (`tests::every_column_is_documented`).

use crate::schema::{DATE_PARTITION, col};
use ColumnGroup::{Identity, Lineage, Network, Request, Response};

/// A group of columns, in the order `\d cloudtrail` shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ColumnGroup {
    Identity,
    Request,
    Response,
    Network,
    Lineage,
}

impl ColumnGroup {
    pub const ALL: [ColumnGroup; 5] = [
        Self::Identity,
        Self::Request,
        Self::Response,
        Self::Network,
        Self::Lineage,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::Identity => "identity",
            Self::Request => "request",
            Self::Response => "response",
            Self::Network => "network",
            Self::Lineage => "lineage",
        }
    }

    pub fn description(self) -> &'static str {
        match self {
            Self::Identity => "who made the call",
            Self::Request => "what was asked, where and when",
            Self::Response => "what came back",
            Self::Network => "where the call came from",
            Self::Lineage => "the record as delivered and where trawl found it",
        }
    }
}

/// Top-level columns (and the `date` partition) with their group and description.
const COLUMNS: &[(&str, ColumnGroup, &str)] = &[
    (
        col::USERIDENTITY,
        Identity,
        "the caller: type, ARN, account, access key, session and its issuer",
    ),
    (
        col::SESSIONCREDENTIALFROMCONSOLE,
        Identity,
        "true when the session's credentials came from a console sign-in",
    ),
    (col::EVENTTIME, Request, "when the request was made (UTC)"),
    (
        col::EVENTSOURCE,
        Request,
        "the service called (iam.amazonaws.com)",
    ),
    (col::EVENTNAME, Request, "the API action (CreateAccessKey)"),
    (col::AWSREGION, Request, "the region the request went to"),
    (
        col::REQUESTPARAMETERS,
        Request,
        "the request's parameters, JSON text (->> reads a key)",
    ),
    (
        col::RESOURCES,
        Request,
        "resources the event names: ARN, account, type",
    ),
    (
        col::RECIPIENTACCOUNTID,
        Request,
        "the account that received the event",
    ),
    (
        col::EVENTTYPE,
        Request,
        "AwsApiCall, AwsConsoleSignIn, AwsServiceEvent, ...",
    ),
    (col::EVENTCATEGORY, Request, "Management, Data or Insight"),
    (col::READONLY, Request, "true for calls that only read"),
    (
        col::MANAGEMENTEVENT,
        Request,
        "true for management (control plane) events",
    ),
    (
        col::APIVERSION,
        Request,
        "the API version, for services that have one",
    ),
    (
        col::SHAREDEVENTID,
        Request,
        "shared by the copies of an event delivered to several accounts",
    ),
    (
        col::SERVICEEVENTDETAILS,
        Request,
        "what a service event did, JSON text",
    ),
    (
        col::INSIGHTDETAILS,
        Request,
        "an Insights event's details, JSON text",
    ),
    (col::EVENTCONTEXT, Request, "the event's context, JSON text"),
    (
        col::ERRORCODE,
        Response,
        "the error, if the call failed (AccessDenied)",
    ),
    (col::ERRORMESSAGE, Response, "the error's message"),
    (
        col::RESPONSEELEMENTS,
        Response,
        "the response, JSON text (->> reads a key)",
    ),
    (
        col::ADDITIONALEVENTDATA,
        Response,
        "more about the event, JSON text (MFAUsed for console sign-ins)",
    ),
    (col::REQUESTID, Response, "the service's id of the request"),
    (
        col::EVENTID,
        Response,
        "CloudTrail's id of the event, unique",
    ),
    (
        col::ADDENDUM,
        Response,
        "why an event was delivered again or late, and what changed",
    ),
    (
        col::SOURCEIPADDRESS,
        Network,
        "the caller's address, or a service name for calls made by AWS",
    ),
    (
        col::USERAGENT,
        Network,
        "the client's user agent (useragent_family() names it)",
    ),
    (
        col::VPCENDPOINTID,
        Network,
        "the VPC endpoint the call came through",
    ),
    (
        col::VPCENDPOINTACCOUNTID,
        Network,
        "the account owning that VPC endpoint",
    ),
    (
        col::TLSDETAILS,
        Network,
        "TLS version, cipher suite and host header",
    ),
    (
        col::EDGEDEVICEDETAILS,
        Network,
        "the edge device, for calls from one, JSON text",
    ),
    (col::EVENTVERSION, Lineage, "the record format's version"),
    (
        col::EVENTJSON,
        Lineage,
        "the whole record as delivered, JSON text",
    ),
    (
        col::SOURCEOBJECT,
        Lineage,
        "the file or S3 object the record was read from",
    ),
    (
        col::SOURCEINDEX,
        Lineage,
        "the record's position in that object",
    ),
    (
        DATE_PARTITION,
        Lineage,
        "the UTC day of eventtime; the lake's partition (filters on eventtime prune it)",
    ),
];

/// A top-level column's group and description.
pub fn column_doc(name: &str) -> Option<(ColumnGroup, &'static str)> {
    COLUMNS
        .iter()
        .find(|(n, _, _)| *n == name)
        .map(|(_, g, d)| (*g, *d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_is_documented() {
        for f in crate::schema().fields() {
            let (_, text) =
                column_doc(f.name()).unwrap_or_else(|| panic!("{} has no line", f.name()));
            assert!(!text.is_empty());
        }
        assert_eq!(
            column_doc(DATE_PARTITION).map(|d| d.0),
            Some(ColumnGroup::Lineage)
        );
        assert_eq!(
            COLUMNS.len(),
            crate::schema().fields().len() + 1,
            "a line for a column that is gone"
        );
    }
}
