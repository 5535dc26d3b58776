//! The Arrow schema of the `cloudtrail` table.
//!
//! Column names are CloudTrail's field names lower-cased, as in Athena's CloudTrail
//! table, so `eventName` and `eventname` both resolve without quotes in DataFusion.

use std::sync::{Arc, LazyLock};

use arrow::datatypes::{DataType, Field, Fields, Schema, SchemaRef, TimeUnit};

/// Bumped whenever a column is added, removed or changes type. Stored in every
/// Parquet file's key/value metadata under [`SCHEMA_VERSION_KEY`].
pub const SCHEMA_VERSION: u32 = 1;

/// Parquet key/value metadata key holding [`SCHEMA_VERSION`].
pub const SCHEMA_VERSION_KEY: &str = "trawl.schema_version";

/// Time zone of `eventtime`: CloudTrail times are UTC.
pub const UTC: &str = "UTC";

/// The type of `eventtime`.
pub fn event_time_type() -> DataType {
    DataType::Timestamp(TimeUnit::Millisecond, Some(UTC.into()))
}

fn utf8(name: &str) -> Field {
    Field::new(name, DataType::Utf8, true)
}

fn boolean(name: &str) -> Field {
    Field::new(name, DataType::Boolean, true)
}

fn structure(name: &str, fields: Vec<Field>) -> Field {
    Field::new(name, DataType::Struct(Fields::from(fields)), true)
}

/// `useridentity.sessioncontext.attributes`
pub fn session_attributes_fields() -> Fields {
    Fields::from(vec![utf8("creationdate"), boolean("mfaauthenticated")])
}

/// `useridentity.sessioncontext.sessionissuer`
pub fn session_issuer_fields() -> Fields {
    Fields::from(vec![
        utf8("type"),
        utf8("principalid"),
        utf8("arn"),
        utf8("accountid"),
        utf8("username"),
    ])
}

/// `useridentity.sessioncontext.webidfederationdata`
pub fn web_id_federation_fields() -> Fields {
    Fields::from(vec![utf8("federatedprovider"), utf8("attributes")])
}

/// `useridentity.sessioncontext`
pub fn session_context_fields() -> Fields {
    Fields::from(vec![
        Field::new(
            "attributes",
            DataType::Struct(session_attributes_fields()),
            true,
        ),
        Field::new(
            "sessionissuer",
            DataType::Struct(session_issuer_fields()),
            true,
        ),
        Field::new(
            "webidfederationdata",
            DataType::Struct(web_id_federation_fields()),
            true,
        ),
        utf8("sourceidentity"),
        utf8("ec2roledelivery"),
        utf8("assumedroot"),
        utf8("signinsessionarn"),
    ])
}

/// `useridentity.onbehalfof`
pub fn on_behalf_of_fields() -> Fields {
    Fields::from(vec![utf8("userid"), utf8("identitystorearn")])
}

/// `useridentity.inscopeof`
pub fn in_scope_of_fields() -> Fields {
    Fields::from(vec![
        utf8("sourcearn"),
        utf8("sourceaccount"),
        utf8("issuertype"),
        utf8("credentialsissuedto"),
    ])
}

/// `useridentity`
pub fn user_identity_fields() -> Fields {
    Fields::from(vec![
        utf8("type"),
        utf8("principalid"),
        utf8("arn"),
        utf8("accountid"),
        utf8("accesskeyid"),
        utf8("username"),
        utf8("invokedby"),
        utf8("identityprovider"),
        utf8("credentialid"),
        Field::new(
            "sessioncontext",
            DataType::Struct(session_context_fields()),
            true,
        ),
        Field::new("onbehalfof", DataType::Struct(on_behalf_of_fields()), true),
        Field::new("inscopeof", DataType::Struct(in_scope_of_fields()), true),
        utf8("invokedbydelegate"),
    ])
}

/// One element of `resources`.
pub fn resource_fields() -> Fields {
    Fields::from(vec![
        utf8("arn"),
        utf8("arnprefix"),
        utf8("accountid"),
        utf8("type"),
    ])
}

/// `tlsdetails`
pub fn tls_details_fields() -> Fields {
    Fields::from(vec![
        utf8("tlsversion"),
        utf8("ciphersuite"),
        utf8("clientprovidedhostheader"),
        utf8("keyexchange"),
    ])
}

/// `addendum`
pub fn addendum_fields() -> Fields {
    Fields::from(vec![
        utf8("reason"),
        utf8("updatedfields"),
        utf8("originalrequestid"),
        utf8("originaleventid"),
    ])
}

/// The item field of the `resources` list.
pub fn resources_item() -> Arc<Field> {
    Arc::new(Field::new(
        "item",
        DataType::Struct(resource_fields()),
        true,
    ))
}

/// Column names, in schema order. Used by the decoder to build arrays in the same order.
pub mod col {
    pub const EVENTVERSION: &str = "eventversion";
    pub const EVENTTIME: &str = "eventtime";
    pub const EVENTSOURCE: &str = "eventsource";
    pub const EVENTNAME: &str = "eventname";
    pub const AWSREGION: &str = "awsregion";
    pub const SOURCEIPADDRESS: &str = "sourceipaddress";
    pub const USERAGENT: &str = "useragent";
    pub const USERIDENTITY: &str = "useridentity";
    pub const ERRORCODE: &str = "errorcode";
    pub const ERRORMESSAGE: &str = "errormessage";
    pub const REQUESTPARAMETERS: &str = "requestparameters";
    pub const RESPONSEELEMENTS: &str = "responseelements";
    pub const ADDITIONALEVENTDATA: &str = "additionaleventdata";
    pub const REQUESTID: &str = "requestid";
    pub const EVENTID: &str = "eventid";
    pub const EVENTTYPE: &str = "eventtype";
    pub const APIVERSION: &str = "apiversion";
    pub const READONLY: &str = "readonly";
    pub const MANAGEMENTEVENT: &str = "managementevent";
    pub const RESOURCES: &str = "resources";
    pub const RECIPIENTACCOUNTID: &str = "recipientaccountid";
    pub const SERVICEEVENTDETAILS: &str = "serviceeventdetails";
    pub const SHAREDEVENTID: &str = "sharedeventid";
    pub const VPCENDPOINTID: &str = "vpcendpointid";
    pub const VPCENDPOINTACCOUNTID: &str = "vpcendpointaccountid";
    pub const EVENTCATEGORY: &str = "eventcategory";
    pub const ADDENDUM: &str = "addendum";
    pub const SESSIONCREDENTIALFROMCONSOLE: &str = "sessioncredentialfromconsole";
    pub const EDGEDEVICEDETAILS: &str = "edgedevicedetails";
    pub const TLSDETAILS: &str = "tlsdetails";
    pub const INSIGHTDETAILS: &str = "insightdetails";
    pub const EVENTCONTEXT: &str = "eventcontext";
    pub const EVENTJSON: &str = "eventjson";
    pub const SOURCEOBJECT: &str = "sourceobject";
    pub const SOURCEINDEX: &str = "sourceindex";
}

static SCHEMA: LazyLock<SchemaRef> = LazyLock::new(|| {
    use col::*;
    Arc::new(Schema::new(vec![
        utf8(EVENTVERSION),
        Field::new(EVENTTIME, event_time_type(), false),
        utf8(EVENTSOURCE),
        utf8(EVENTNAME),
        utf8(AWSREGION),
        utf8(SOURCEIPADDRESS),
        utf8(USERAGENT),
        Field::new(USERIDENTITY, DataType::Struct(user_identity_fields()), true),
        utf8(ERRORCODE),
        utf8(ERRORMESSAGE),
        utf8(REQUESTPARAMETERS),
        utf8(RESPONSEELEMENTS),
        utf8(ADDITIONALEVENTDATA),
        utf8(REQUESTID),
        Field::new(EVENTID, DataType::Utf8, false),
        utf8(EVENTTYPE),
        utf8(APIVERSION),
        boolean(READONLY),
        boolean(MANAGEMENTEVENT),
        Field::new(RESOURCES, DataType::List(resources_item()), true),
        utf8(RECIPIENTACCOUNTID),
        utf8(SERVICEEVENTDETAILS),
        utf8(SHAREDEVENTID),
        utf8(VPCENDPOINTID),
        utf8(VPCENDPOINTACCOUNTID),
        utf8(EVENTCATEGORY),
        structure(
            ADDENDUM,
            addendum_fields()
                .iter()
                .map(|f| f.as_ref().clone())
                .collect(),
        ),
        boolean(SESSIONCREDENTIALFROMCONSOLE),
        utf8(EDGEDEVICEDETAILS),
        structure(
            TLSDETAILS,
            tls_details_fields()
                .iter()
                .map(|f| f.as_ref().clone())
                .collect(),
        ),
        utf8(INSIGHTDETAILS),
        utf8(EVENTCONTEXT),
        // Views into the inflated text the record was read from (see `SharedText`).
        Field::new(EVENTJSON, DataType::Utf8View, false),
        Field::new(SOURCEOBJECT, DataType::Utf8, false),
        Field::new(SOURCEINDEX, DataType::UInt32, false),
    ]))
});

/// The schema of the rows the decoder produces and the lake stores (without the
/// `date` partition column, which lives in the directory names).
pub fn schema() -> SchemaRef {
    SCHEMA.clone()
}

/// Name of the Hive partition column derived from `eventtime` (UTC day).
pub const DATE_PARTITION: &str = "date";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_is_lower_case() {
        fn walk(fields: &Fields, out: &mut Vec<String>) {
            for f in fields {
                out.push(f.name().clone());
                match f.data_type() {
                    DataType::Struct(inner) => walk(inner, out),
                    DataType::List(item) => {
                        if let DataType::Struct(inner) = item.data_type() {
                            walk(inner, out)
                        }
                    }
                    _ => {}
                }
            }
        }
        let mut names = Vec::new();
        walk(schema().fields(), &mut names);
        assert!(names.len() > 60);
        for n in names {
            assert_eq!(n, n.to_lowercase(), "{n} is not lower case");
        }
    }
}
