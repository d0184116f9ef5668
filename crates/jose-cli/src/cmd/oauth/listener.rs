//! The loopback listener that receives the authorization response (RFC 8252 §7.3): an
//! HTTP/1.1 server on `127.0.0.1` (or `[::1]`) that accepts one response at the redirect
//! URI's path, in the query (GET) or a `form_post` body (POST). A response in the fragment
//! never reaches a server, so a GET without a query gets a page whose script posts the
//! fragment back.
//!
//! Everything read is bounded: 16 KiB of request head, [`MAX_CALLBACK_BYTES`] of body, ten
//! seconds per connection, and the overall timeout.

use crate::error::{CliError, CliResult};
use oauth_client::{Callback, MAX_CALLBACK_BYTES};
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use url::Url;

/// Largest request head read.
const MAX_HEAD: usize = 16 << 10;
/// How long one connection may take.
const CONNECTION_TIMEOUT: Duration = Duration::from_secs(10);
/// The path when no redirect URI is given.
pub const DEFAULT_PATH: &str = "/callback";

const DONE_PAGE: &str = "<!doctype html><meta charset=utf-8><title>jose</title>\
<p>The authorization response reached <code>jose</code>. You can close this window.</p>";

const FRAGMENT_PAGE: &str = "<!doctype html><meta charset=utf-8><title>jose</title>\
<p id=m>No authorization response in this request.</p>\
<script>if(location.hash.length>1){fetch(location.pathname,{method:'POST',\
headers:{'content-type':'application/x-www-form-urlencoded'},body:location.hash.slice(1)})\
.then(function(){document.getElementById('m').textContent=\
'The authorization response reached jose. You can close this window.'});}</script>";

/// A bound loopback listener and the redirect URI it serves.
#[derive(Debug)]
pub struct Loopback {
    listener: TcpListener,
    redirect_uri: Url,
}

impl Loopback {
    /// Binds the listener for `redirect_uri` (`http://127.0.0.1:PORT/PATH` or
    /// `http://[::1]:PORT/PATH`; without a port, a free one), or for a free port of
    /// `127.0.0.1` and `/callback` when none is given.
    ///
    /// # Errors
    /// A usage error for another scheme or host, a query or fragment, or a port in use.
    pub async fn bind(redirect_uri: Option<&str>) -> CliResult<Self> {
        let mut url = match redirect_uri {
            Some(text) => Url::parse(text)
                .map_err(|e| CliError::usage(format!("--redirect-uri {text:?}: {e}")))?,
            None => Url::parse(&format!("http://127.0.0.1{DEFAULT_PATH}"))
                .map_err(|e| CliError::usage(e.to_string()))?,
        };
        let bad = |why: &str| CliError::usage(format!("--redirect-uri {url}: {why}"));
        if url.scheme() != "http" {
            return Err(bad(
                "the listener is plain HTTP on loopback: use http://127.0.0.1:PORT/PATH",
            ));
        }
        let ip: IpAddr = match url.host() {
            Some(url::Host::Ipv4(ip)) => ip.into(),
            Some(url::Host::Ipv6(ip)) => ip.into(),
            _ => {
                return Err(bad(
                    "use a loopback IP literal, 127.0.0.1 or [::1] (RFC 8252 §8.3), not a name",
                ));
            }
        };
        if !ip.is_loopback() {
            return Err(bad("not a loopback address"));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(bad("a loopback redirect URI has no query or fragment here"));
        }
        let port = url.port().unwrap_or(0);
        let listener = TcpListener::bind(SocketAddr::new(ip, port))
            .await
            .map_err(|e| CliError::usage(format!("cannot listen on {ip} port {port}: {e}")))?;
        let bound = listener
            .local_addr()
            .map_err(|e| CliError::usage(format!("listener: {e}")))?
            .port();
        url.set_port(Some(bound))
            .map_err(|()| CliError::usage("cannot set the redirect URI's port"))?;
        Ok(Self {
            listener,
            redirect_uri: url,
        })
    }

    /// The redirect URI to send in the authorization request.
    pub fn redirect_uri(&self) -> &Url {
        &self.redirect_uri
    }

    /// Serves until an authorization response arrives at the redirect URI's path, or
    /// `timeout` passes.
    ///
    /// # Errors
    /// Exit 1 when the timeout passes, or the response cannot be read.
    pub async fn wait(self, timeout: Duration) -> CliResult<Callback> {
        let (sender, mut received) = mpsc::channel::<CliResult<Callback>>(1);
        let redirect_uri = self.redirect_uri.clone();
        let accepting = async {
            loop {
                let Ok((stream, _)) = self.listener.accept().await else {
                    // Out of descriptors, for example: wait instead of spinning.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                };
                let sender = sender.clone();
                let redirect_uri = redirect_uri.clone();
                tokio::spawn(async move {
                    let served =
                        tokio::time::timeout(CONNECTION_TIMEOUT, serve(stream, &redirect_uri))
                            .await;
                    if let Ok(Some(result)) = served {
                        let _ = sender.send(result).await;
                    }
                });
            }
        };
        tokio::select! {
            _ = accepting => Err(CliError::invalid("the loopback listener stopped")),
            result = received.recv() => result.unwrap_or_else(|| Err(CliError::invalid("the loopback listener stopped"))),
            () = tokio::time::sleep(timeout) => Err(CliError::invalid(format!(
                "no authorization response reached {} within {} s",
                self.redirect_uri,
                timeout.as_secs()
            ))),
        }
    }
}

/// A parsed request head.
struct Head {
    method: String,
    target: String,
    content_length: usize,
    form: bool,
}

fn parse_head(head: &str) -> Option<Head> {
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let method = request_line.next()?.to_owned();
    let target = request_line.next()?.to_owned();
    if !request_line.next()?.starts_with("HTTP/1.") {
        return None;
    }
    let mut content_length = 0usize;
    let mut form = false;
    for line in lines {
        let Some((name, value)) = line.split_once(':') else {
            continue;
        };
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            content_length = value.parse().ok()?;
        } else if name.eq_ignore_ascii_case("content-type") {
            form = value.split(';').next().is_some_and(|t| {
                t.trim()
                    .eq_ignore_ascii_case("application/x-www-form-urlencoded")
            });
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            // Chunked bodies are not needed for a form post; refuse rather than misread.
            return None;
        }
    }
    Some(Head {
        method,
        target,
        content_length,
        form,
    })
}

/// Serves one connection; `Some` when it carried the authorization response (or a response
/// that could not be read).
async fn serve(mut stream: TcpStream, redirect_uri: &Url) -> Option<CliResult<Callback>> {
    let mut buffer = Vec::with_capacity(1024);
    let head_end = loop {
        if let Some(end) = find(&buffer, b"\r\n\r\n") {
            break end;
        }
        if buffer.len() > MAX_HEAD {
            respond(&mut stream, 431, "text/plain", "request header too large").await;
            return None;
        }
        let mut chunk = [0u8; 2048];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buffer.extend_from_slice(&chunk[..n]);
    };
    let Some(head) = std::str::from_utf8(&buffer[..head_end])
        .ok()
        .and_then(parse_head)
    else {
        respond(&mut stream, 400, "text/plain", "bad request").await;
        return None;
    };
    let (path, query) = match head.target.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (head.target.as_str(), None),
    };
    if path != redirect_uri.path() {
        respond(&mut stream, 404, "text/plain", "not found").await;
        return None;
    }
    match head.method.as_str() {
        "GET" => match query.filter(|q| !q.is_empty()) {
            Some(query) => {
                let mut url = redirect_uri.clone();
                url.set_query(Some(query));
                let result = Callback::from_url(&url).map_err(super::common::error);
                respond(&mut stream, 200, "text/html; charset=utf-8", DONE_PAGE).await;
                Some(result)
            }
            None => {
                respond(&mut stream, 200, "text/html; charset=utf-8", FRAGMENT_PAGE).await;
                None
            }
        },
        "POST" if head.form => {
            if head.content_length > MAX_CALLBACK_BYTES {
                respond(&mut stream, 413, "text/plain", "too large").await;
                return Some(Err(CliError::invalid(
                    "the authorization response posted to the listener is too large",
                )));
            }
            let mut body = buffer[head_end + 4..].to_vec();
            while body.len() < head.content_length {
                let mut chunk = [0u8; 4096];
                let n = stream.read(&mut chunk).await.ok()?;
                if n == 0 {
                    break;
                }
                body.extend_from_slice(&chunk[..n]);
            }
            body.truncate(head.content_length);
            let result =
                Callback::from_form_post(redirect_uri, &body).map_err(super::common::error);
            respond(&mut stream, 200, "text/html; charset=utf-8", DONE_PAGE).await;
            Some(result)
        }
        _ => {
            respond(&mut stream, 405, "text/plain", "method not allowed").await;
            None
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

async fn respond(stream: &mut TcpStream, status: u16, content_type: &str, body: &str) {
    let reason = match status {
        200 => "OK",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        413 => "Content Too Large",
        _ => "Request Header Fields Too Large",
    };
    let response = format!(
        "HTTP/1.1 {status} {reason}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\n\
         cache-control: no-store\r\nreferrer-policy: no-referrer\r\nconnection: close\r\n\r\n{body}",
        body.len()
    );
    // The browser may have gone; the response was read either way.
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // tests may panic

    use super::*;

    async fn send(port: u16, request: &str) -> String {
        let mut stream = TcpStream::connect(("127.0.0.1", port)).await.unwrap();
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).await.unwrap();
        answer
    }

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    #[test]
    fn redirect_uris_must_be_loopback_http_literals() {
        runtime().block_on(async {
            for bad in [
                "https://127.0.0.1/cb",
                "http://localhost/cb",
                "http://192.0.2.1/cb",
                "http://127.0.0.1/cb?x=1",
                "not a url",
            ] {
                let e = Loopback::bind(Some(bad)).await.unwrap_err();
                assert_eq!(e.exit_code(), 2, "{bad}");
            }
            let free = Loopback::bind(None).await.unwrap();
            assert_eq!(free.redirect_uri().path(), DEFAULT_PATH);
            assert_ne!(free.redirect_uri().port(), Some(0));
            let named = Loopback::bind(Some("http://127.0.0.1/cli/cb"))
                .await
                .unwrap();
            assert_eq!(named.redirect_uri().path(), "/cli/cb");
        });
    }

    #[test]
    fn a_query_response_is_received_and_other_paths_are_not() {
        runtime().block_on(async {
            let listener = Loopback::bind(None).await.unwrap();
            let port = listener.redirect_uri().port().unwrap();
            let waiting = tokio::spawn(listener.wait(Duration::from_secs(10)));
            let other = send(port, "GET /favicon.ico HTTP/1.1\r\nhost: x\r\n\r\n").await;
            assert!(other.starts_with("HTTP/1.1 404"));
            let empty = send(port, "GET /callback HTTP/1.1\r\nhost: x\r\n\r\n").await;
            assert!(empty.contains("location.hash"));
            let done = send(
                port,
                "GET /callback?code=c1&state=s1 HTTP/1.1\r\nhost: x\r\n\r\n",
            )
            .await;
            assert!(done.starts_with("HTTP/1.1 200"));
            let callback = waiting.await.unwrap().unwrap();
            assert_eq!(callback.get("code"), Some("c1"));
            assert_eq!(
                callback.redirect_uri(),
                format!("http://127.0.0.1:{port}/callback")
            );
        });
    }

    #[test]
    fn a_form_post_response_is_received() {
        runtime().block_on(async {
            let listener = Loopback::bind(None).await.unwrap();
            let port = listener.redirect_uri().port().unwrap();
            let waiting = tokio::spawn(listener.wait(Duration::from_secs(10)));
            let body = "code=c2&state=s2";
            let request = format!(
                "POST /callback HTTP/1.1\r\nhost: x\r\ncontent-type: application/x-www-form-urlencoded\r\ncontent-length: {}\r\n\r\n{body}",
                body.len()
            );
            assert!(send(port, &request).await.starts_with("HTTP/1.1 200"));
            let callback = waiting.await.unwrap().unwrap();
            assert_eq!(callback.get("state"), Some("s2"));
            assert_eq!(callback.source(), oauth_client::ResponseSource::FormPost);
        });
    }

    #[test]
    fn waiting_ends_at_the_timeout() {
        runtime().block_on(async {
            let listener = Loopback::bind(None).await.unwrap();
            let e = listener.wait(Duration::from_millis(50)).await.unwrap_err();
            assert_eq!(e.exit_code(), 1);
        });
    }
}
