//! The platform's internal gRPC contracts, generated from `proto/**.proto` at build time.
//!
//! Each package is a module: `identity::v1`, `authz::v1`, `audit::v1`, `blog::v1`, `billing::v1`, each with its
//! messages, a `*_service_client` and a `*_service_server` module.

/// Identity's internal API: user lookups.
pub mod identity {
    /// Version 1 of the identity API.
    pub mod v1 {
        #![allow(clippy::all, missing_docs)]
        tonic::include_proto!("identity.v1");
    }
}

/// Authz's internal API: the Check decisions.
pub mod authz {
    /// Version 1 of the authz API.
    pub mod v1 {
        #![allow(clippy::all, missing_docs)]
        tonic::include_proto!("authz.v1");
    }
}

/// Audit's internal API: synchronous records.
pub mod audit {
    /// Version 1 of the audit API.
    pub mod v1 {
        #![allow(clippy::all, missing_docs)]
        tonic::include_proto!("audit.v1");
    }
}

/// Blog's internal API: post lookups.
pub mod blog {
    /// Version 1 of the blog API.
    pub mod v1 {
        #![allow(clippy::all, missing_docs)]
        tonic::include_proto!("blog.v1");
    }
}

/// Billing's internal API: subscription lookups for entitlement checks.
pub mod billing {
    /// Version 1 of the billing API.
    pub mod v1 {
        #![allow(clippy::all, missing_docs)]
        tonic::include_proto!("billing.v1");
    }
}

#[cfg(test)]
mod tests {
    use prost::Message;

    #[test]
    fn check_request_round_trips_through_its_wire_form() {
        let request = super::authz::v1::CheckRequest {
            subject: Some(super::authz::v1::Subject {
                id: "u1".into(),
                kind: "user".into(),
            }),
            action: "post.publish".into(),
            resource: Some(super::authz::v1::Resource {
                kind: "post".into(),
                id: "p1".into(),
                owner_id: "u2".into(),
            }),
        };
        let bytes = request.encode_to_vec();
        let decoded = super::authz::v1::CheckRequest::decode(bytes.as_slice()).expect("decode what was encoded");
        assert_eq!(decoded, request);
    }
}
