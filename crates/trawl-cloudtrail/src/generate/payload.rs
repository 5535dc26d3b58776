//! Per-API `requestParameters`, `responseElements` and `resources`, shaped like
//! what CloudTrail records for those calls.

use serde_json::{Value, json};

use super::accounts::{Account, Identity};
use super::rng::Rng;
use super::tables::{Api, Payload};

pub(super) type Payloads = (Value, Value, Option<Value>);

/// Draws the payload of one call; a failed or read-only call has no response.
pub(super) fn payload(
    rng: &mut Rng,
    acct: &Account,
    api: &Api,
    region: &str,
    identity: &Identity,
    failed: bool,
) -> Payloads {
    let id = &acct.id;
    let resp = |v: Value| {
        if failed || api.read_only {
            Value::Null
        } else {
            v
        }
    };
    match api.payload {
        Payload::None => {
            let req = if rng.chance(0.5) {
                Value::Null
            } else {
                json!({"maxResults": 100})
            };
            (req, Value::Null, None)
        }
        Payload::Instances => {
            let inst = rng.pick(&acct.instances).clone();
            if api.name == "RunInstances" {
                let itype = *rng.pick(&["t3.micro", "m6i.large", "c7g.xlarge", "r6i.2xlarge"]);
                (
                    json!({"instancesSet":{"items":[{"imageId":format!("ami-0{}", rng.hex(16)),"minCount":1,"maxCount":1}]},"instanceType":itype,"blockDeviceMapping":{},"monitoring":{"enabled":false},"disableApiTermination":false,"disableApiStop":false,"clientToken":rng.uuid()}),
                    resp(
                        json!({"requestId":rng.uuid(),"reservationId":format!("r-0{}", rng.hex(16)),"ownerId":id,"instancesSet":{"items":[{"instanceId":inst,"instanceType":itype,"currentState":{"code":0,"name":"pending"}}]}}),
                    ),
                    None,
                )
            } else {
                (
                    json!({"instancesSet":{"items":[{"instanceId":inst}]},"filterSet":{}}),
                    Value::Null,
                    None,
                )
            }
        }
        Payload::SecurityGroup => (
            json!({"groupId":format!("sg-0{}", rng.hex(16)),"ipPermissions":{"items":[{"ipProtocol":"tcp","fromPort":443,"toPort":443,"ipRanges":{"items":[{"cidrIp":"10.0.0.0/8"}]}}]}}),
            resp(json!({"_return":true})),
            None,
        ),
        Payload::Bucket => {
            let bucket = rng.pick(&acct.buckets).clone();
            (
                json!({"bucketName":bucket,"Host":format!("{bucket}.s3.{region}.amazonaws.com")}),
                Value::Null,
                Some(
                    json!([{"type":"AWS::S3::Bucket","ARN":format!("arn:aws:s3:::{bucket}"),"accountId":id}]),
                ),
            )
        }
        Payload::Object => {
            let bucket = rng.pick(&acct.buckets).clone();
            let key = format!(
                "{}/{}/{}.json",
                ["orders", "images", "exports", "tmp"][rng.below(4) as usize],
                rng.below(1000),
                rng.hex(8)
            );
            (
                json!({"bucketName":bucket,"Host":format!("{bucket}.s3.{region}.amazonaws.com"),"key":key}),
                Value::Null,
                Some(json!([
                    {"type":"AWS::S3::Object","ARN":format!("arn:aws:s3:::{bucket}/{key}")},
                    {"accountId":id,"type":"AWS::S3::Bucket","ARN":format!("arn:aws:s3:::{bucket}")}
                ])),
            )
        }
        Payload::Role => {
            let role = rng.pick(&acct.roles).clone();
            if api.source == "sts.amazonaws.com" {
                let session = format!("session-{}", rng.below(10_000));
                (
                    json!({"roleArn":format!("arn:aws:iam::{id}:role/{role}"),"roleSessionName":session,"durationSeconds":3600}),
                    if failed {
                        Value::Null
                    } else {
                        json!({"credentials":{"accessKeyId":format!("ASIA{}", rng.upper(16)),"sessionToken":"IQoJb3JpZ2luX2VjEXAMPLE","expiration":"Mar 1, 2026, 1:00:00 AM"},"assumedRoleUser":{"assumedRoleId":format!("AROA{}:{session}", rng.upper(17)),"arn":format!("arn:aws:sts::{id}:assumed-role/{role}/{session}")}})
                    },
                    Some(
                        json!([{"accountId":id,"type":"AWS::IAM::Role","ARN":format!("arn:aws:iam::{id}:role/{role}")}]),
                    ),
                )
            } else if api.name == "AttachRolePolicy" {
                (
                    json!({"roleName":role,"policyArn":"arn:aws:iam::aws:policy/ReadOnlyAccess"}),
                    Value::Null,
                    None,
                )
            } else {
                (
                    json!({"roleName":role}),
                    resp(
                        json!({"role":{"roleName":role,"arn":format!("arn:aws:iam::{id}:role/{role}")}}),
                    ),
                    None,
                )
            }
        }
        Payload::User => {
            let user = rng.pick(&acct.users).clone();
            let resp_v = if api.name == "CreateAccessKey" {
                resp(
                    json!({"accessKey":{"userName":user,"accessKeyId":format!("AKIA{}", rng.upper(16)),"status":"Active","createDate":"Mar 1, 2026, 12:00:00 AM"}}),
                )
            } else {
                Value::Null
            };
            (json!({"userName":user}), resp_v, None)
        }
        Payload::Key => {
            let key = format!("arn:aws:kms:{region}:{id}:key/{}", rng.uuid());
            (
                json!({"encryptionContext":{"aws:s3:arn":format!("arn:aws:s3:::{}", rng.pick(&acct.buckets))},"encryptionAlgorithm":"SYMMETRIC_DEFAULT","keyId":key}),
                Value::Null,
                Some(json!([{"accountId":id,"type":"AWS::KMS::Key","ARN":key}])),
            )
        }
        Payload::Secret => (
            json!({"secretId":format!("arn:aws:secretsmanager:{region}:{id}:secret:prod/db-{}", rng.below(5))}),
            Value::Null,
            None,
        ),
        Payload::Parameter => (
            json!({"name":format!("/app/config/{}", rng.below(20)),"withDecryption":rng.chance(0.5)}),
            Value::Null,
            None,
        ),
        Payload::Function => {
            let f = *rng.pick(&["orders-handler", "thumbnailer", "nightly-report"]);
            (
                json!({"functionName":f}),
                resp(
                    json!({"functionName":f,"functionArn":format!("arn:aws:lambda:{region}:{id}:function:{f}")}),
                ),
                None,
            )
        }
        Payload::Table => {
            let t = *rng.pick(&["orders", "sessions", "inventory"]);
            (
                json!({"tableName":t,"key":{"pk":{"S":format!("order#{}", rng.below(100_000))}}}),
                Value::Null,
                Some(
                    json!([{"accountId":id,"type":"AWS::DynamoDB::Table","ARN":format!("arn:aws:dynamodb:{region}:{id}:table/{t}")}]),
                ),
            )
        }
        Payload::LogGroup => {
            let _ = identity;
            (
                json!({"logGroupName":"/aws/lambda/orders-handler","logStreamName":format!("2026/03/01/[$LATEST]{}", rng.hex(32))}),
                Value::Null,
                None,
            )
        }
    }
}
