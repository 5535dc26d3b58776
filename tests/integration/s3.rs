//! The in-process S3 server the S3 tests stand on: real HTTP on loopback, SigV4
//! checked, objects on disk.

use object_store::path::Path;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};
use trawl_testkit::S3Server;

#[test]
fn loopback_s3_server_signs_lists_and_rejects_bad_secrets() {
    let server = S3Server::start(&["trail"]).unwrap();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let store = server.store("trail").unwrap();
        for i in 0..3 {
            let key = Path::from(format!(
                "AWSLogs/111122223333/CloudTrail/us-east-1/2026/01/0{i}/f.json.gz"
            ));
            store
                .put(&key, PutPayload::from(vec![i as u8; 10]))
                .await
                .unwrap();
        }
        let listed: Vec<_> =
            futures::TryStreamExt::try_collect::<Vec<_>>(store.list(Some(&Path::from("AWSLogs"))))
                .await
                .unwrap();
        assert_eq!(listed.len(), 3);
        let got = store
            .get(&Path::from(
                "AWSLogs/111122223333/CloudTrail/us-east-1/2026/01/01/f.json.gz",
            ))
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert_eq!(got.as_ref(), &[1u8; 10]);

        let wrong = object_store::aws::AmazonS3Builder::new()
            .with_endpoint(server.endpoint())
            .with_allow_http(true)
            .with_bucket_name("trail")
            .with_region("us-east-1")
            .with_access_key_id(trawl_testkit::ACCESS_KEY)
            .with_secret_access_key("not-the-secret")
            .with_retry(object_store::RetryConfig {
                max_retries: 0,
                ..Default::default()
            })
            .build()
            .unwrap();
        let err = wrong.head(&Path::from("AWSLogs/x")).await.unwrap_err();
        assert!(
            !matches!(err, object_store::Error::NotFound { .. }),
            "a wrong secret is refused: {err}"
        );
    });
    assert!(server.bucket_dir("trail").join("AWSLogs").exists());
}
