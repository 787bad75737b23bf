//! Reading the bearer token out of an `Authorization` value, the same way over HTTP and gRPC.

use secrecy::SecretString;

/// The bare JWT of an `Authorization: Bearer <jwt>` value; any other scheme, or an empty token, reads as none.
pub fn bearer_token(authorization: &str) -> Option<SecretString> {
    let (scheme, token) = authorization.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then(|| SecretString::from(token))
}

#[cfg(test)]
mod tests {
    use secrecy::ExposeSecret;

    use super::bearer_token;

    #[test]
    fn only_a_non_empty_bearer_token_is_read() {
        assert_eq!(
            bearer_token("Bearer abc")
                .map(|t| t.expose_secret().to_owned())
                .as_deref(),
            Some("abc")
        );
        assert_eq!(
            bearer_token("bearer  abc ")
                .map(|t| t.expose_secret().to_owned())
                .as_deref(),
            Some("abc")
        );
        assert!(bearer_token("Basic dXNlcjpwYXNz").is_none());
        assert!(bearer_token("Bearer ").is_none());
        assert!(bearer_token("Bearer").is_none());
    }
}
