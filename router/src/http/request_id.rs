//! The request id: the client's `X-Request-Id` when it is a sane token, else a fresh UUIDv7. It is echoed on the
//! response, forwarded to every subgraph and written into the access log, so one id follows a request everywhere.

use http::{HeaderMap, HeaderName, HeaderValue};

/// The header carrying the request id, both ways.
pub const X_REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// Longest client-chosen id kept; longer ones are replaced, so a client cannot bloat every log line.
const MAX_LEN: usize = 128;

/// The request's id: the client's when acceptable (1–128 characters of `A–Z a–z 0–9 - _ . :`), else a new one.
pub fn request_id(headers: &HeaderMap) -> HeaderValue {
    headers
        .get(&X_REQUEST_ID)
        .filter(|value| acceptable(value.as_bytes()))
        .cloned()
        .unwrap_or_else(fresh)
}

fn acceptable(id: &[u8]) -> bool {
    !id.is_empty()
        && id.len() <= MAX_LEN
        && id
            .iter()
            .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b':'))
}

fn fresh() -> HeaderValue {
    // A hyphenated UUID is ASCII hex and hyphens, always a valid header value.
    HeaderValue::from_str(&uuid::Uuid::now_v7().to_string())
        .unwrap_or_else(|_| HeaderValue::from_static("invalid-request-id"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sane_client_id_is_kept() {
        let mut headers = HeaderMap::new();
        headers.insert(X_REQUEST_ID, HeaderValue::from_static("web-7f3a:42"));
        assert_eq!(request_id(&headers), "web-7f3a:42");
    }

    #[test]
    fn a_missing_long_or_odd_id_is_replaced_by_a_uuid() {
        let mut odd = HeaderMap::new();
        odd.insert(X_REQUEST_ID, HeaderValue::from_static("a b\tc"));
        let mut long = HeaderMap::new();
        long.insert(X_REQUEST_ID, HeaderValue::from_str(&"x".repeat(129)).unwrap());
        for headers in [HeaderMap::new(), odd, long] {
            let id = request_id(&headers);
            assert!(uuid::Uuid::parse_str(id.to_str().unwrap()).is_ok(), "{id:?}");
        }
    }
}
