//! Requests the integrations send to other servers (a Lambda endpoint, an HTTP Task's API):
//! one pooled HTTP/1.1 client, answers read up to a limit, errors told as a socket tells them.

use std::sync::OnceLock;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::{HeaderMap, Request, StatusCode, header};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

type HttpClient = Client<HttpConnector, Full<Bytes>>;

/// One client, so one connection pool, for every request.
fn client() -> &'static HttpClient {
    static CLIENT: OnceLock<HttpClient> = OnceLock::new();
    CLIENT.get_or_init(|| {
        let mut http = HttpConnector::new();
        http.set_nodelay(true);
        Client::builder(TokioExecutor::new()).build(http)
    })
}

/// An answer: status, headers, and the body, or (over the limit) the size its
/// `Content-Length` gave, if it gave one.
pub struct Answer {
    /// The status.
    pub status: StatusCode,
    /// The headers.
    pub headers: HeaderMap,
    /// The body, or `Err(declared size)` when it was larger than allowed.
    pub body: Result<Vec<u8>, Option<u64>>,
}

/// Sends `request`; reads the answer's body up to `max_body` bytes. `Err` carries what
/// failed, as text ([`error_text`]).
pub async fn send(request: Request<Full<Bytes>>, max_body: usize) -> Result<Answer, String> {
    let response = client()
        .request(request)
        .await
        .map_err(|e| error_text(&e))?;
    let status = response.status();
    let headers = response.headers().clone();
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    let answer = |body| Answer {
        status,
        headers: headers.clone(),
        body,
    };
    if declared.is_some_and(|n| n > max_body as u64) {
        return Ok(answer(Err(declared)));
    }
    let mut incoming = response.into_body();
    let mut out = Vec::with_capacity(declared.map_or(0, |n| n as usize));
    while let Some(frame) = incoming.frame().await {
        let frame = frame.map_err(|e| error_text(&e))?;
        if let Ok(data) = frame.into_data() {
            if out.len() + data.len() > max_body {
                return Ok(answer(Err(None)));
            }
            out.extend_from_slice(&data);
        }
    }
    Ok(answer(Ok(out)))
}

/// An answer's headers as (name, value) text pairs, in their order.
pub fn header_pairs(headers: &HeaderMap) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(n, v)| {
            (
                n.as_str().to_string(),
                String::from_utf8_lossy(v.as_bytes()).into_owned(),
            )
        })
        .collect()
}

/// What failed: the I/O error at the root when there is one (`Connection refused (os error
/// 111)`, as a socket reports it), else the whole chain.
pub fn error_text(e: &(dyn std::error::Error + 'static)) -> String {
    let mut chain = Vec::new();
    let mut next = Some(e);
    while let Some(e) = next {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            return io.to_string();
        }
        chain.push(e.to_string());
        next = e.source();
    }
    chain.join(": ")
}

/// Every byte outside RFC 3986's unreserved set as `%XX`.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everything_but_unreserved_bytes_is_percent_encoded() {
        assert_eq!(percent_encode("my-fn_1.x~"), "my-fn_1.x~");
        assert_eq!(
            percent_encode("a b\r\n/../?#%:$é"),
            "a%20b%0D%0A%2F..%2F%3F%23%25%3A%24%C3%A9"
        );
    }

    #[test]
    fn an_error_reads_as_its_root_io_error() {
        #[derive(Debug)]
        struct Outer(std::io::Error);
        impl std::fmt::Display for Outer {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("tcp connect error")
            }
        }
        impl std::error::Error for Outer {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.0)
            }
        }
        let io = std::io::Error::from_raw_os_error(111);
        let text = io.to_string();
        assert_eq!(error_text(&Outer(io)), text);
        let plain = std::fmt::Error;
        assert_eq!(error_text(&plain), plain.to_string());
    }
}
