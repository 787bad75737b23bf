//! Content negotiation: which media type a response uses, and whether a request body's media type is accepted.

use http::header::{ACCEPT, CONTENT_TYPE};
use http::{HeaderMap, StatusCode};
use kernel::error_code::ErrorCode;

use super::error::HttpError;

/// The GraphQL-over-HTTP response media type.
pub const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";
const JSON: &str = "application/json";

/// The media type of a GraphQL response, chosen from the request's `Accept` header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponseFormat {
    /// `application/graphql-response+json`: request errors get 4xx statuses.
    GraphQLResponseJson,
    /// `application/json` (legacy): every well-formed request gets 200, errors or not.
    Json,
}

impl ResponseFormat {
    /// `application/graphql-response+json` when the client lists it at least as high as `application/json`;
    /// `application/json` otherwise, including when there is no `Accept` header or only wildcards.
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let (mut graphql, mut json, mut wildcard) = (0.0_f32, 0.0_f32, 0.0_f32);
        for (media_type, quality) in media_ranges(headers) {
            match media_type.as_str() {
                GRAPHQL_RESPONSE_JSON => graphql = graphql.max(quality),
                JSON => json = json.max(quality),
                "application/*" | "*/*" => wildcard = wildcard.max(quality),
                _ => {}
            }
        }
        let json = if json > 0.0 { json } else { wildcard };
        if graphql > 0.0 && graphql >= json {
            Self::GraphQLResponseJson
        } else {
            Self::Json
        }
    }

    /// The `Content-Type` of a response in this format.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::GraphQLResponseJson => "application/graphql-response+json; charset=utf-8",
            Self::Json => "application/json; charset=utf-8",
        }
    }

    /// The status of a response holding only a request error with `code`. Under `application/json` a GraphQL
    /// request error (parse, validation, variables, limits) is a 200; everything else keeps its own status.
    pub fn request_error_status(self, code: ErrorCode) -> StatusCode {
        let graphql_request_error = matches!(
            code,
            ErrorCode::GraphqlParseFailed
                | ErrorCode::GraphqlValidationFailed
                | ErrorCode::BadUserInput
                | ErrorCode::OperationLimitExceeded
                | ErrorCode::OperationNotSupported
                | ErrorCode::PersistedQueryNotFound
        );
        match self {
            Self::Json if graphql_request_error => StatusCode::OK,
            Self::Json | Self::GraphQLResponseJson => code.http_status(),
        }
    }
}

/// Whether the client (a browser) asks for HTML.
pub(crate) fn accepts_html(headers: &HeaderMap) -> bool {
    media_ranges(headers).any(|(media_type, quality)| media_type == "text/html" && quality > 0.0)
}

/// Accepts `application/json` bodies (charset UTF-8 or unspecified); anything else is 415.
pub(crate) fn check_request_content_type(headers: &HeaderMap) -> Result<(), HttpError> {
    let Some(value) = headers.get(CONTENT_TYPE) else {
        return Err(HttpError::UnsupportedMediaType("none".to_owned()));
    };
    let text = value.to_str().unwrap_or("");
    let mut parts = text.split(';');
    let essence = parts.next().unwrap_or("").trim();
    let charset_ok = parts.all(|parameter| match parameter.split_once('=') {
        Some((name, value)) if name.trim().eq_ignore_ascii_case("charset") => {
            value.trim().trim_matches('"').eq_ignore_ascii_case("utf-8")
        }
        _ => true,
    });
    if essence.eq_ignore_ascii_case(JSON) && charset_ok {
        Ok(())
    } else {
        Err(HttpError::UnsupportedMediaType(text.chars().take(100).collect()))
    }
}

/// Every media range of every `Accept` header, lowercased, with its quality (1 when not given, 0 when
/// unreadable).
fn media_ranges(headers: &HeaderMap) -> impl Iterator<Item = (String, f32)> + '_ {
    headers
        .get_all(ACCEPT)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(','))
        .filter_map(|range| {
            let mut parts = range.split(';');
            let media_type = parts.next()?.trim().to_ascii_lowercase();
            if media_type.is_empty() {
                return None;
            }
            let quality = parts
                .filter_map(|parameter| parameter.split_once('='))
                .find(|(name, _)| name.trim().eq_ignore_ascii_case("q"))
                .map_or(1.0, |(_, value)| value.trim().parse::<f32>().unwrap_or(0.0));
            Some((media_type, quality))
        })
}

#[cfg(test)]
mod tests {
    use http::HeaderValue;

    use super::*;

    fn headers(name: http::HeaderName, value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(name, HeaderValue::from_str(value).expect("a valid header value"));
        headers
    }

    fn format(accept: &str) -> ResponseFormat {
        ResponseFormat::from_headers(&headers(ACCEPT, accept))
    }

    #[test]
    fn graphql_response_json_is_chosen_only_when_asked_for() {
        assert_eq!(ResponseFormat::from_headers(&HeaderMap::new()), ResponseFormat::Json);
        assert_eq!(format("*/*"), ResponseFormat::Json);
        assert_eq!(format("application/json"), ResponseFormat::Json);
        assert_eq!(
            format("application/graphql-response+json"),
            ResponseFormat::GraphQLResponseJson
        );
        assert_eq!(
            format("application/graphql-response+json, application/json;q=0.9"),
            ResponseFormat::GraphQLResponseJson
        );
        assert_eq!(
            format("application/graphql-response+json;q=0.5, application/json"),
            ResponseFormat::Json
        );
        assert_eq!(
            format("Application/GraphQL-Response+JSON; charset=utf-8"),
            ResponseFormat::GraphQLResponseJson
        );
        assert_eq!(format("application/graphql-response+json;q=0"), ResponseFormat::Json);
    }

    #[test]
    fn request_errors_are_200_only_under_legacy_json() {
        let json = ResponseFormat::Json;
        let graphql = ResponseFormat::GraphQLResponseJson;
        assert_eq!(
            json.request_error_status(ErrorCode::GraphqlValidationFailed),
            StatusCode::OK
        );
        assert_eq!(
            graphql.request_error_status(ErrorCode::GraphqlValidationFailed),
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            json.request_error_status(ErrorCode::MethodNotAllowed),
            StatusCode::METHOD_NOT_ALLOWED
        );
        assert_eq!(
            json.request_error_status(ErrorCode::BadRequest),
            StatusCode::BAD_REQUEST
        );
        assert_eq!(
            json.request_error_status(ErrorCode::ServiceUnavailable),
            StatusCode::SERVICE_UNAVAILABLE
        );
    }

    #[test]
    fn browsers_asking_for_html_are_recognised() {
        assert!(accepts_html(&headers(
            ACCEPT,
            "text/html,application/xhtml+xml,*/*;q=0.8"
        )));
        assert!(!accepts_html(&headers(ACCEPT, "application/json")));
        assert!(!accepts_html(&headers(ACCEPT, "text/html;q=0")));
    }

    #[test]
    fn only_json_request_bodies_are_accepted() {
        assert!(check_request_content_type(&headers(CONTENT_TYPE, "application/json")).is_ok());
        assert!(check_request_content_type(&headers(CONTENT_TYPE, "application/json; charset=UTF-8")).is_ok());
        assert!(check_request_content_type(&headers(CONTENT_TYPE, "text/plain")).is_err());
        assert!(check_request_content_type(&headers(CONTENT_TYPE, "application/json; charset=latin1")).is_err());
        assert!(check_request_content_type(&HeaderMap::new()).is_err());
    }
}
