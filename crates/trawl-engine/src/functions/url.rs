//! Trino's URL functions (`url_extract_host` ...), for the URLs CloudTrail records
//! carry (presigned S3 requests, callback and redirect URLs, console referrers).

use std::sync::Arc;

use datafusion::arrow::array::{ArrayRef, Int64Array, StringArray};
use datafusion::arrow::datatypes::DataType;
use datafusion::logical_expr::ScalarUDF;
use url::Url;

use super::{strings, text_fn, udf};

fn url_part(name: &str, part: fn(&Url) -> Option<String>) -> ScalarUDF {
    udf(name, vec![DataType::Utf8], DataType::Utf8, move |a| {
        let s = strings(&a[0])?;
        let out: StringArray = s.iter().map(|v| part(&Url::parse(v?).ok()?)).collect();
        Ok(Arc::new(out) as ArrayRef)
    })
}

/// The `url_extract_*` functions giving text.
pub(super) fn url_udfs() -> Vec<ScalarUDF> {
    vec![
        url_part("url_extract_host", |u| u.host_str().map(str::to_string)),
        url_part("url_extract_path", |u| Some(u.path().to_string())),
        url_part("url_extract_protocol", |u| Some(u.scheme().to_string())),
        url_part("url_extract_query", |u| u.query().map(str::to_string)),
        url_part("url_extract_fragment", |u| u.fragment().map(str::to_string)),
        url_extract_port_udf(),
        url_extract_parameter_udf(),
        text_fn("url_encode", |s| {
            Some(url::form_urlencoded::byte_serialize(s.as_bytes()).collect())
        }),
        text_fn("url_decode", url_decode),
    ]
}

/// `url_extract_port(url)`: the port written in the URL, null when there is none.
fn url_extract_port_udf() -> ScalarUDF {
    udf(
        "url_extract_port",
        vec![DataType::Utf8],
        DataType::Int64,
        |a| {
            let s = strings(&a[0])?;
            let out: Int64Array = s
                .iter()
                .map(|v| Url::parse(v?).ok()?.port().map(i64::from))
                .collect();
            Ok(Arc::new(out) as ArrayRef)
        },
    )
}

/// `url_extract_parameter(url, name)`: the first value of a query parameter.
fn url_extract_parameter_udf() -> ScalarUDF {
    udf(
        "url_extract_parameter",
        vec![DataType::Utf8, DataType::Utf8],
        DataType::Utf8,
        |a| {
            let (s, name) = (strings(&a[0])?, strings(&a[1])?);
            let out: StringArray = s
                .iter()
                .zip(name.iter())
                .map(|(s, name)| {
                    let (s, name) = (s?, name?);
                    Url::parse(s)
                        .ok()?
                        .query_pairs()
                        .find(|(k, _)| k == name)
                        .map(|(_, v)| v.into_owned())
                })
                .collect();
            Ok(Arc::new(out) as ArrayRef)
        },
    )
}

/// Percent-decoding with `+` as a space, as Trino (Java's `URLDecoder`) reads it;
/// null for a malformed escape or bytes that are not UTF-8.
fn url_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
                out.push(u8::from_str_radix(hex, 16).ok()?);
                i += 2;
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_as_java() {
        assert_eq!(url_decode("a%20b+c%2Fd").as_deref(), Some("a b c/d"));
        assert_eq!(url_decode("bad%2"), None);
    }
}
