//! GraphiQL, served by the router with its own copies of the assets (see `router/assets/graphiql/README.md`),
//! so it works offline and loads nothing from a CDN.

use axum::Router;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use bytes::Bytes;
use http::HeaderValue;
use http::header::{CACHE_CONTROL, CONTENT_TYPE, VARY, X_CONTENT_TYPE_OPTIONS};

/// Where the assets are served; each vendored file's path names its package version, so it can be cached
/// for a year: a new version is a new URL.
pub const ASSET_PREFIX: &str = "/graphiql";

const JAVASCRIPT: &str = "text/javascript; charset=utf-8";
const IMMUTABLE: &str = "public, max-age=31536000, immutable";
/// The start-up script is ours and changes with the router, under a fixed path: revalidate it.
const REVALIDATE: &str = "no-cache";

#[derive(Clone, Copy)]
struct Asset {
    path: &'static str,
    content_type: &'static str,
    cache_control: &'static str,
    body: &'static [u8],
}

const GRAPHIQL_JS: Asset = Asset {
    path: "/graphiql/graphiql-3.8.3/graphiql.min.js",
    content_type: JAVASCRIPT,
    cache_control: IMMUTABLE,
    body: include_bytes!("../../assets/graphiql/graphiql.min.js"),
};
const GRAPHIQL_CSS: Asset = Asset {
    path: "/graphiql/graphiql-3.8.3/graphiql.min.css",
    content_type: "text/css; charset=utf-8",
    cache_control: IMMUTABLE,
    body: include_bytes!("../../assets/graphiql/graphiql.min.css"),
};
const REACT_JS: Asset = Asset {
    path: "/graphiql/react-18.3.1/react.production.min.js",
    content_type: JAVASCRIPT,
    cache_control: IMMUTABLE,
    body: include_bytes!("../../assets/graphiql/react.production.min.js"),
};
const REACT_DOM_JS: Asset = Asset {
    path: "/graphiql/react-dom-18.3.1/react-dom.production.min.js",
    content_type: JAVASCRIPT,
    cache_control: IMMUTABLE,
    body: include_bytes!("../../assets/graphiql/react-dom.production.min.js"),
};
const INIT_JS: Asset = Asset {
    path: "/graphiql/init.js",
    content_type: JAVASCRIPT,
    cache_control: REVALIDATE,
    body: include_bytes!("graphiql_init.js"),
};

const PAGE_TEMPLATE: &str = include_str!("graphiql.html");

/// The routes serving the assets.
pub(crate) fn asset_routes<S: Clone + Send + Sync + 'static>() -> Router<S> {
    [GRAPHIQL_JS, GRAPHIQL_CSS, REACT_JS, REACT_DOM_JS, INIT_JS]
        .into_iter()
        .fold(Router::new(), |router, asset| {
            router.route(asset.path, get(move || async move { serve_asset(&asset) }))
        })
}

fn serve_asset(asset: &Asset) -> Response {
    (
        [
            (CONTENT_TYPE, HeaderValue::from_static(asset.content_type)),
            (CACHE_CONTROL, HeaderValue::from_static(asset.cache_control)),
            (X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
        ],
        Bytes::from_static(asset.body),
    )
        .into_response()
}

/// The GraphiQL page for the GraphQL endpoint at `endpoint` (a path or URL), rendered once.
pub(crate) fn page(endpoint: &str) -> Bytes {
    let html = PAGE_TEMPLATE
        .replace("{{ENDPOINT}}", &escape_html(endpoint))
        .replace("{{GRAPHIQL_CSS}}", GRAPHIQL_CSS.path)
        .replace("{{GRAPHIQL_JS}}", GRAPHIQL_JS.path)
        .replace("{{REACT_JS}}", REACT_JS.path)
        .replace("{{REACT_DOM_JS}}", REACT_DOM_JS.path)
        .replace("{{INIT_JS}}", INIT_JS.path);
    Bytes::from(html)
}

/// The page response.
pub(crate) fn page_response(page: &Bytes) -> Response {
    (
        [
            (CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8")),
            (CACHE_CONTROL, HeaderValue::from_static(REVALIDATE)),
            (X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff")),
            // The endpoint answers JSON or this page depending on `Accept`; caches must keep them apart.
            (VARY, HeaderValue::from_static("Accept")),
        ],
        page.clone(),
    )
        .into_response()
}

fn escape_html(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_names_the_endpoint_and_only_local_assets() {
        let html = String::from_utf8(page("/graphql").to_vec()).expect("UTF-8");
        assert!(html.contains(r#"data-endpoint="/graphql""#));
        for asset in [GRAPHIQL_JS, GRAPHIQL_CSS, REACT_JS, REACT_DOM_JS, INIT_JS] {
            assert!(html.contains(asset.path), "{} not referenced", asset.path);
        }
        assert!(
            !html.contains("http://") && !html.contains("https://"),
            "no remote URLs"
        );
        assert!(!html.contains("{{"), "every placeholder is filled");
    }

    #[test]
    fn endpoint_is_escaped_into_the_page() {
        let html = String::from_utf8(page("/x\"><script>").to_vec()).expect("UTF-8");
        assert!(html.contains("/x&quot;&gt;&lt;script&gt;"));
    }

    #[test]
    fn vendored_assets_keep_their_license_headers() {
        assert!(REACT_JS.body.starts_with(b"/**\n * @license React"));
        assert!(REACT_DOM_JS.body.starts_with(b"/**\n * @license React"));
        assert!(
            GRAPHIQL_JS
                .body
                .windows(b"window.GraphiQL".len())
                .any(|w| w == b"window.GraphiQL")
        );
    }
}
