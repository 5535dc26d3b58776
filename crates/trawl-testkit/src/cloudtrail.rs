//! A stand-in for CloudTrail's `ListPublicKeys` on loopback: a real HTTP/1.1 server that
//! answers every awsJson1_1 `ListPublicKeys` call with one given body and remembers the
//! region each call was signed for. Point a child `trawl` at it with
//! `AWS_ENDPOINT_URL_CLOUDTRAIL` ([`CloudTrailServer::env`]).

use std::io::{BufRead, BufReader, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

/// A listening stand-in; lives until the test process ends.
pub struct CloudTrailServer {
    addr: SocketAddr,
    regions: Arc<Mutex<Vec<String>>>,
}

impl CloudTrailServer {
    /// Serves `body` (a `ListPublicKeys` response: `{"PublicKeyList":[...]}`, times as
    /// epoch seconds) to every `ListPublicKeys` call.
    pub fn start(body: String) -> std::io::Result<Self> {
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let addr = listener.local_addr()?;
        let regions = Arc::new(Mutex::new(Vec::new()));
        let seen = regions.clone();
        let body = Arc::new(body);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (seen, body) = (seen.clone(), body.clone());
                std::thread::spawn(move || serve(stream, &body, &seen));
            }
        });
        Ok(Self { addr, regions })
    }

    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `AWS_ENDPOINT_URL_CLOUDTRAIL` for a child process.
    pub fn env(&self) -> (&'static str, String) {
        ("AWS_ENDPOINT_URL_CLOUDTRAIL", self.endpoint())
    }

    /// The region of each `ListPublicKeys` call so far (from its SigV4 credential scope).
    pub fn regions(&self) -> Vec<String> {
        self.regions.lock().map(|r| r.clone()).unwrap_or_default()
    }
}

fn serve(stream: TcpStream, body: &str, seen: &Mutex<Vec<String>>) {
    let Ok(read_half) = stream.try_clone() else {
        return;
    };
    let mut reader = BufReader::new(read_half);
    let mut writer = stream;
    while let Some((target, authorization)) = read_request(&mut reader) {
        let (status, answer) = if target.ends_with(".ListPublicKeys") {
            // `Credential=AKID/20261205/eu-west-1/cloudtrail/aws4_request, ...`
            let region = authorization
                .split("Credential=")
                .nth(1)
                .and_then(|c| c.split('/').nth(2))
                .unwrap_or("")
                .to_string();
            if let Ok(mut s) = seen.lock() {
                s.push(region);
            }
            ("200 OK", body.to_string())
        } else {
            (
                "400 Bad Request",
                format!(r#"{{"__type":"UnknownOperationException","message":"{target}"}}"#),
            )
        };
        let response = format!(
            "HTTP/1.1 {status}\r\nContent-Type: application/x-amz-json-1.1\r\nx-amzn-RequestId: trawl-test\r\nContent-Length: {}\r\n\r\n{answer}",
            answer.len()
        );
        if writer.write_all(response.as_bytes()).is_err() {
            return;
        }
    }
}

/// One request's X-Amz-Target and Authorization headers (its body is read and dropped);
/// None at the end of the connection.
fn read_request(reader: &mut impl BufRead) -> Option<(String, String)> {
    let mut line = String::new();
    if reader.read_line(&mut line).ok()? == 0 {
        return None;
    }
    let (mut target, mut authorization, mut length) = (String::new(), String::new(), 0usize);
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).ok()?;
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':')?;
        let value = value.trim().to_string();
        match name.trim().to_ascii_lowercase().as_str() {
            "x-amz-target" => target = value,
            "authorization" => authorization = value,
            "content-length" => length = value.parse().ok()?,
            _ => {}
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).ok()?;
    Some((target, authorization))
}
