//! Stand-ins for AWS JSON and query APIs on loopback: a real HTTP/1.1 server that hands
//! each request to a handler and keeps it, and a SigV4 check computed here, apart from
//! the SDK's signer, so a test sees what a real endpoint would accept.

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use hmac::{KeyInit, Mac};
use sha2::{Digest, Sha256};

/// One request as received.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The region of its SigV4 credential scope.
    pub fn signed_region(&self) -> Option<&str> {
        self.header("authorization")?
            .split("Credential=")
            .nth(1)?
            .split('/')
            .nth(2)
    }

    /// Checks the request is signed with SigV4 (headers) by `access_key`/`secret` for
    /// `service` in `region`: the credential scope, and the signature recomputed here over
    /// the canonical request (path, query, signed headers, body hash).
    pub fn check_sigv4(
        &self,
        service: &str,
        region: &str,
        access_key: &str,
        secret: &str,
    ) -> Result<(), String> {
        let auth = self
            .header("authorization")
            .ok_or("no Authorization header")?;
        let amz_date = self.header("x-amz-date").ok_or("no X-Amz-Date")?;
        let date = amz_date.get(..8).ok_or("short X-Amz-Date")?;
        let scope = format!("{date}/{region}/{service}/aws4_request");
        let rest = auth
            .strip_prefix(&format!(
                "AWS4-HMAC-SHA256 Credential={access_key}/{scope}, SignedHeaders="
            ))
            .ok_or_else(|| format!("Authorization {auth:?} is not for {access_key}/{scope}"))?;
        let (signed_headers, signature) = rest
            .split_once(", Signature=")
            .ok_or("no Signature in Authorization")?;
        if !signed_headers.split(';').any(|h| h == "host") {
            return Err(format!("Host not signed: {signed_headers}"));
        }
        let (path, query) = self.path.split_once('?').unwrap_or((&self.path, ""));
        let mut query: Vec<&str> = query.split('&').filter(|q| !q.is_empty()).collect();
        query.sort_unstable();
        let mut canonical = format!("{}\n{path}\n{}\n", self.method, query.join("&"));
        for name in signed_headers.split(';') {
            let value = self
                .header(name)
                .ok_or_else(|| format!("signed header {name} not sent"))?;
            canonical.push_str(&format!("{name}:{}\n", value.trim()));
        }
        canonical.push_str(&format!(
            "\n{signed_headers}\n{}",
            hex(&Sha256::digest(&self.body))
        ));
        let to_sign = format!(
            "AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n{}",
            hex(&Sha256::digest(canonical.as_bytes()))
        );
        let mut key = format!("AWS4{secret}").into_bytes();
        for part in [date, region, service, "aws4_request"] {
            key = hmac_sha256(&key, part.as_bytes());
        }
        if signature != hex(&hmac_sha256(&key, to_sign.as_bytes())) {
            return Err(format!("bad signature over:\n{canonical}"));
        }
        Ok(())
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn hmac_sha256(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut mac = <hmac::Hmac<Sha256> as KeyInit>::new_from_slice(key).expect("any key length");
    mac.update(data);
    mac.finalize().into_bytes().to_vec()
}

type Handler = dyn Fn(&Request) -> (u16, String) + Send + Sync;

/// A listening stand-in; lives until the test process ends.
pub struct AwsStandIn {
    addr: SocketAddr,
    requests: Arc<Mutex<Vec<Request>>>,
}

impl AwsStandIn {
    /// Answers each request with the handler's status and body.
    pub fn start(
        handler: impl Fn(&Request) -> (u16, String) + Send + Sync + 'static,
    ) -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = requests.clone();
        let handler: Arc<Handler> = Arc::new(handler);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (seen, handler) = (seen.clone(), handler.clone());
                std::thread::spawn(move || serve(stream, &*handler, &seen));
            }
        });
        Ok(Self { addr, requests })
    }

    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<Request> {
        self.requests.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

fn serve(stream: TcpStream, handler: &Handler, seen: &Mutex<Vec<Request>>) {
    let Ok(read_half) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(read_half);
    let mut writer = stream;
    while let Some(request) = read_request(&mut reader) {
        let (status, body) = handler(&request);
        if let Ok(mut s) = seen.lock() {
            s.push(request);
        }
        let reason = if status < 300 { "OK" } else { "Error" };
        let response = format!(
            "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nx-amzn-RequestId: trawl-test\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        if writer.write_all(response.as_bytes()).is_err() {
            return;
        }
    }
}

/// One HTTP/1.1 request with a Content-Length body; None at the end of the connection.
fn read_request(reader: &mut impl BufRead) -> Option<Request> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let (method, path) = (parts.next()?.to_string(), parts.next()?.to_string());
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':')?;
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
    }
    let mut request = Request {
        method,
        path,
        headers,
        body: Vec::new(),
    };
    let length: usize = request
        .header("content-length")
        .unwrap_or("0")
        .parse()
        .ok()?;
    request.body = vec![0; length];
    reader.read_exact(&mut request.body).ok()?;
    Some(request)
}
