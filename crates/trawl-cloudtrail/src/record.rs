//! A CloudTrail record parsed without copying: strings borrow from the input where
//! they hold no escapes, free-form parts stay raw JSON text.
//!
//! Leaves are deliberately tolerant: real logs carry numbers where strings belong
//! and `"true"` where booleans belong. A leaf only fails on a shape that cannot be
//! read as its type (an object where a string belongs), and the record is then
//! rejected with the field's path.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, IgnoredAny, Visitor};
use serde_json::value::RawValue;

/// A string leaf that also accepts numbers and booleans (kept as their JSON text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Str<'a>(pub Cow<'a, str>);

impl<'a> Str<'a> {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Str<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Str(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Str(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(Str(Cow::Owned(v)))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                Ok(Str(Cow::Borrowed(if v { "true" } else { "false" })))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(Str(Cow::Owned(v.to_string())))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(Str(Cow::Owned(v.to_string())))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                Ok(Str(Cow::Owned(v.to_string())))
            }
        }
        d.deserialize_any(V)
    }
}

/// A boolean leaf that accepts JSON booleans and the strings `"true"`/`"false"` in any case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bool(pub bool);

impl<'de> Deserialize<'de> for Bool {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Bool;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a boolean or \"true\"/\"false\"")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Bool, E> {
                Ok(Bool(v))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Bool, E> {
                if v.eq_ignore_ascii_case("true") {
                    Ok(Bool(true))
                } else if v.eq_ignore_ascii_case("false") {
                    Ok(Bool(false))
                } else {
                    Err(E::invalid_value(de::Unexpected::Str(v), &self))
                }
            }
        }
        d.deserialize_any(V)
    }
}

/// Any JSON value kept as its raw text (free-form CloudTrail parts).
pub type Raw<'a> = &'a RawValue;

#[derive(Debug, Default, Deserialize)]
pub struct SessionAttributes<'a> {
    #[serde(rename = "creationDate", borrow)]
    pub creation_date: Option<Str<'a>>,
    #[serde(rename = "mfaAuthenticated")]
    pub mfa_authenticated: Option<Bool>,
}

#[derive(Debug, Default, Deserialize)]
pub struct SessionIssuer<'a> {
    #[serde(rename = "type", borrow)]
    pub kind: Option<Str<'a>>,
    #[serde(rename = "principalId", borrow)]
    pub principal_id: Option<Str<'a>>,
    #[serde(borrow)]
    pub arn: Option<Str<'a>>,
    #[serde(rename = "accountId", borrow)]
    pub account_id: Option<Str<'a>>,
    #[serde(rename = "userName", borrow)]
    pub user_name: Option<Str<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub struct WebIdFederationData<'a> {
    #[serde(rename = "federatedProvider", borrow)]
    pub federated_provider: Option<Str<'a>>,
    #[serde(borrow)]
    pub attributes: Option<Raw<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub struct SessionContext<'a> {
    #[serde(borrow)]
    pub attributes: Option<SessionAttributes<'a>>,
    #[serde(rename = "sessionIssuer", borrow)]
    pub session_issuer: Option<SessionIssuer<'a>>,
    #[serde(rename = "webIdFederationData", borrow)]
    pub web_id_federation_data: Option<WebIdFederationData<'a>>,
    #[serde(rename = "sourceIdentity", borrow)]
    pub source_identity: Option<Str<'a>>,
    #[serde(rename = "ec2RoleDelivery", borrow)]
    pub ec2_role_delivery: Option<Str<'a>>,
    #[serde(rename = "assumedRoot", borrow)]
    pub assumed_root: Option<Str<'a>>,
    #[serde(rename = "signInSessionArn", borrow)]
    pub sign_in_session_arn: Option<Str<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub struct OnBehalfOf<'a> {
    #[serde(rename = "userId", borrow)]
    pub user_id: Option<Str<'a>>,
    #[serde(rename = "identityStoreArn", borrow)]
    pub identity_store_arn: Option<Str<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub struct InScopeOf<'a> {
    #[serde(rename = "sourceArn", borrow)]
    pub source_arn: Option<Str<'a>>,
    #[serde(rename = "sourceAccount", borrow)]
    pub source_account: Option<Str<'a>>,
    #[serde(rename = "issuerType", borrow)]
    pub issuer_type: Option<Str<'a>>,
    #[serde(rename = "credentialsIssuedTo", borrow)]
    pub credentials_issued_to: Option<Str<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub struct InvokedByDelegate<'a> {
    #[serde(rename = "accountId", borrow)]
    pub account_id: Option<Str<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub struct UserIdentity<'a> {
    #[serde(rename = "type", borrow)]
    pub kind: Option<Str<'a>>,
    #[serde(rename = "principalId", borrow)]
    pub principal_id: Option<Str<'a>>,
    #[serde(borrow)]
    pub arn: Option<Str<'a>>,
    #[serde(rename = "accountId", borrow)]
    pub account_id: Option<Str<'a>>,
    #[serde(rename = "accessKeyId", borrow)]
    pub access_key_id: Option<Str<'a>>,
    #[serde(rename = "userName", borrow)]
    pub user_name: Option<Str<'a>>,
    #[serde(rename = "invokedBy", borrow)]
    pub invoked_by: Option<Str<'a>>,
    #[serde(rename = "identityProvider", borrow)]
    pub identity_provider: Option<Str<'a>>,
    #[serde(rename = "credentialId", borrow)]
    pub credential_id: Option<Str<'a>>,
    #[serde(rename = "sessionContext", borrow)]
    pub session_context: Option<SessionContext<'a>>,
    #[serde(rename = "onBehalfOf", borrow)]
    pub on_behalf_of: Option<OnBehalfOf<'a>>,
    #[serde(rename = "inScopeOf", borrow)]
    pub in_scope_of: Option<InScopeOf<'a>>,
    #[serde(rename = "invokedByDelegate", borrow)]
    pub invoked_by_delegate: Option<InvokedByDelegate<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Resource<'a> {
    #[serde(rename = "ARN", alias = "arn", borrow)]
    pub arn: Option<Str<'a>>,
    #[serde(rename = "ARNPrefix", alias = "arnPrefix", borrow)]
    pub arn_prefix: Option<Str<'a>>,
    #[serde(rename = "accountId", alias = "accountid", borrow)]
    pub account_id: Option<Str<'a>>,
    #[serde(rename = "type", borrow)]
    pub kind: Option<Str<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub struct TlsDetails<'a> {
    #[serde(rename = "tlsVersion", borrow)]
    pub tls_version: Option<Str<'a>>,
    #[serde(rename = "cipherSuite", borrow)]
    pub cipher_suite: Option<Str<'a>>,
    #[serde(rename = "clientProvidedHostHeader", borrow)]
    pub client_provided_host_header: Option<Str<'a>>,
    #[serde(rename = "keyExchange", borrow)]
    pub key_exchange: Option<Str<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub struct Addendum<'a> {
    #[serde(borrow)]
    pub reason: Option<Str<'a>>,
    #[serde(rename = "updatedFields", borrow)]
    pub updated_fields: Option<Str<'a>>,
    #[serde(rename = "originalRequestID", borrow)]
    pub original_request_id: Option<Str<'a>>,
    #[serde(rename = "originalEventID", borrow)]
    pub original_event_id: Option<Str<'a>>,
}

/// Datadog's log pipeline moves `sourceIPAddress` to `network.client.ip`.
#[derive(Debug, Default, Deserialize)]
pub struct DatadogNetwork<'a> {
    #[serde(borrow)]
    pub client: Option<DatadogClient<'a>>,
}

#[derive(Debug, Default, Deserialize)]
pub struct DatadogClient<'a> {
    #[serde(borrow)]
    pub ip: Option<Str<'a>>,
}

/// Datadog's log pipeline moves `userAgent` to `http.useragent`.
#[derive(Debug, Default, Deserialize)]
pub struct DatadogHttp<'a> {
    #[serde(borrow)]
    pub useragent: Option<Str<'a>>,
}

/// One CloudTrail event. Keys the model does not name are ignored here and kept in
/// `eventjson`.
#[derive(Debug, Default, Deserialize)]
pub struct Record<'a> {
    #[serde(rename = "eventVersion", borrow)]
    pub event_version: Option<Str<'a>>,
    #[serde(rename = "eventTime", borrow)]
    pub event_time: Option<Str<'a>>,
    /// Logstash renames `eventTime` to `@timestamp`.
    #[serde(rename = "@timestamp", borrow)]
    pub logstash_timestamp: Option<Str<'a>>,
    #[serde(rename = "eventSource", borrow)]
    pub event_source: Option<Str<'a>>,
    #[serde(rename = "eventName", borrow)]
    pub event_name: Option<Str<'a>>,
    #[serde(rename = "awsRegion", borrow)]
    pub aws_region: Option<Str<'a>>,
    #[serde(rename = "sourceIPAddress", borrow)]
    pub source_ip_address: Option<Str<'a>>,
    #[serde(rename = "userAgent", borrow)]
    pub user_agent: Option<Str<'a>>,
    #[serde(rename = "userIdentity", borrow)]
    pub user_identity: Option<UserIdentity<'a>>,
    #[serde(rename = "errorCode", borrow)]
    pub error_code: Option<Str<'a>>,
    #[serde(rename = "errorMessage", borrow)]
    pub error_message: Option<Str<'a>>,
    #[serde(rename = "requestParameters", borrow)]
    pub request_parameters: Option<Raw<'a>>,
    #[serde(rename = "responseElements", borrow)]
    pub response_elements: Option<Raw<'a>>,
    #[serde(rename = "additionalEventData", borrow)]
    pub additional_event_data: Option<Raw<'a>>,
    #[serde(rename = "requestID", borrow)]
    pub request_id: Option<Str<'a>>,
    /// Aggregated events spell it `eventId`.
    #[serde(rename = "eventID", alias = "eventId", borrow)]
    pub event_id: Option<Str<'a>>,
    #[serde(rename = "eventType", borrow)]
    pub event_type: Option<Str<'a>>,
    #[serde(rename = "apiVersion", borrow)]
    pub api_version: Option<Str<'a>>,
    #[serde(rename = "readOnly")]
    pub read_only: Option<Bool>,
    #[serde(rename = "managementEvent")]
    pub management_event: Option<Bool>,
    #[serde(borrow)]
    pub resources: Option<Vec<Resource<'a>>>,
    #[serde(rename = "recipientAccountId", borrow)]
    pub recipient_account_id: Option<Str<'a>>,
    #[serde(rename = "serviceEventDetails", borrow)]
    pub service_event_details: Option<Raw<'a>>,
    #[serde(rename = "sharedEventID", borrow)]
    pub shared_event_id: Option<Str<'a>>,
    #[serde(rename = "vpcEndpointId", borrow)]
    pub vpc_endpoint_id: Option<Str<'a>>,
    #[serde(rename = "vpcEndpointAccountId", borrow)]
    pub vpc_endpoint_account_id: Option<Str<'a>>,
    #[serde(rename = "eventCategory", borrow)]
    pub event_category: Option<Str<'a>>,
    #[serde(borrow)]
    pub addendum: Option<Addendum<'a>>,
    #[serde(rename = "sessionCredentialFromConsole")]
    pub session_credential_from_console: Option<Bool>,
    #[serde(rename = "edgeDeviceDetails", borrow)]
    pub edge_device_details: Option<Raw<'a>>,
    #[serde(rename = "tlsDetails", borrow)]
    pub tls_details: Option<TlsDetails<'a>>,
    #[serde(rename = "insightDetails", borrow)]
    pub insight_details: Option<Raw<'a>>,
    #[serde(rename = "eventContext", borrow)]
    pub event_context: Option<Raw<'a>>,
    #[serde(borrow)]
    pub network: Option<DatadogNetwork<'a>>,
    #[serde(borrow)]
    pub http: Option<DatadogHttp<'a>>,
    // The keys by which [`Probe::shape`] tells a wrapper or a digest from a record:
    // present, they mean this object is not a plain record, and the one-pass reader
    // leaves the file to the careful one.
    #[serde(rename = "Records")]
    records: Option<IgnoredAny>,
    #[serde(rename = "Events")]
    events: Option<IgnoredAny>,
    #[serde(rename = "CloudTrailEvent")]
    cloudtrail_event: Option<IgnoredAny>,
    #[serde(rename = "detail-type")]
    detail_type: Option<IgnoredAny>,
    detail: Option<IgnoredAny>,
    #[serde(rename = "messageType")]
    message_type: Option<IgnoredAny>,
    #[serde(rename = "logEvents")]
    log_events: Option<IgnoredAny>,
    #[serde(rename = "digestStartTime")]
    digest_start_time: Option<IgnoredAny>,
    #[serde(rename = "logFiles")]
    log_files: Option<IgnoredAny>,
}

impl Record<'_> {
    /// Whether none of the keys of a wrapper or digest is there: [`Probe::shape`]
    /// would call this object a record if it has any event key.
    pub fn has_no_wrapper_keys(&self) -> bool {
        self.records.is_none()
            && self.events.is_none()
            && self.cloudtrail_event.is_none()
            && self.detail_type.is_none()
            && self.detail.is_none()
            && self.message_type.is_none()
            && self.log_events.is_none()
            && self.digest_start_time.is_none()
            && self.log_files.is_none()
    }
}

/// What a top-level JSON value is, decided from its keys alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// A CloudTrail event.
    Record,
    /// `{"Records":[...]}`: an S3 delivery file (trail, Insight, network activity).
    Records,
    /// `aws cloudtrail lookup-events` output: `{"Events":[{"CloudTrailEvent":"..."}]}`.
    LookupEvents,
    /// One element of `lookup-events`' `Events`.
    LookupEvent,
    /// EventBridge / CloudWatch Events envelope (`detail` is the event).
    EventBridge,
    /// CloudWatch Logs subscription payload (`logEvents[].message` are events).
    CloudWatchSubscription,
    /// A CloudTrail digest file, or `aws cloudtrail list-public-keys` output (the keys that
    /// verify digests, often kept beside a copy of the bucket): integrity data, not events.
    Digest,
    /// Something else.
    Unknown,
}

/// Keys looked at to classify a top-level value. Everything else is skipped.
#[derive(Debug, Default, Deserialize)]
pub struct Probe<'a> {
    #[serde(rename = "Records", borrow)]
    pub records: Option<Raw<'a>>,
    #[serde(rename = "Events", borrow)]
    pub events: Option<Raw<'a>>,
    #[serde(rename = "CloudTrailEvent", borrow)]
    pub cloudtrail_event: Option<Raw<'a>>,
    #[serde(rename = "detail-type")]
    pub detail_type: Option<IgnoredAny>,
    #[serde(borrow)]
    pub detail: Option<Raw<'a>>,
    #[serde(rename = "messageType")]
    pub message_type: Option<IgnoredAny>,
    #[serde(rename = "logEvents", borrow)]
    pub log_events: Option<Raw<'a>>,
    #[serde(rename = "digestStartTime")]
    pub digest_start_time: Option<IgnoredAny>,
    #[serde(rename = "logFiles")]
    pub log_files: Option<IgnoredAny>,
    #[serde(rename = "PublicKeyList")]
    pub public_key_list: Option<IgnoredAny>,
    #[serde(rename = "eventVersion")]
    pub event_version: Option<IgnoredAny>,
    #[serde(rename = "eventName")]
    pub event_name: Option<IgnoredAny>,
    #[serde(rename = "eventSource")]
    pub event_source: Option<IgnoredAny>,
    #[serde(rename = "eventTime")]
    pub event_time: Option<IgnoredAny>,
    #[serde(rename = "eventID", alias = "eventId")]
    pub event_id: Option<IgnoredAny>,
    #[serde(rename = "eventType")]
    pub event_type: Option<IgnoredAny>,
}

impl Probe<'_> {
    pub fn shape(&self) -> Shape {
        if self.records.is_some() {
            Shape::Records
        } else if self.events.is_some() {
            Shape::LookupEvents
        } else if self.cloudtrail_event.is_some() {
            Shape::LookupEvent
        } else if self.detail_type.is_some() && self.detail.is_some() {
            Shape::EventBridge
        } else if self.message_type.is_some() && self.log_events.is_some() {
            Shape::CloudWatchSubscription
        } else if (self.digest_start_time.is_some() && self.log_files.is_some())
            || self.public_key_list.is_some()
        {
            Shape::Digest
        } else if self.event_version.is_some()
            || self.event_name.is_some()
            || self.event_source.is_some()
            || self.event_time.is_some()
            || self.event_id.is_some()
            || self.event_type.is_some()
        {
            Shape::Record
        } else {
            Shape::Unknown
        }
    }
}

/// Whether a raw JSON value is an object.
pub fn is_object(raw: &RawValue) -> bool {
    raw.get().trim_start().starts_with('{')
}
