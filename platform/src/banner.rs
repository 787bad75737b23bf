//! What `platform dev` prints: one line per service as it comes up, what seeding did, then where GraphiQL is
//! and how to sign in.

use std::io::Write;
use std::net::SocketAddr;

use crate::error::DevError;
use crate::seed::{DEMO_ACCOUNTS, DEMO_PLANS, SeedReport};

/// Prints `text` as a progress line.
pub fn line(out: &mut (dyn Write + Send), text: &str) -> Result<(), DevError> {
    writeln!(out, "platform dev: {text}")
        .and_then(|()| out.flush())
        .map_err(DevError::Output)
}

/// Reports that `name` is up at `http` (and `grpc`).
pub fn service(
    out: &mut (dyn Write + Send),
    name: &str,
    http: SocketAddr,
    grpc: Option<SocketAddr>,
) -> Result<(), DevError> {
    let grpc = grpc.map(|addr| format!("  gRPC {addr}")).unwrap_or_default();
    line(
        out,
        &format!(
            "{name:<8} up  GraphQL http://{http}{}{grpc}",
            kernel::graphql::GRAPHQL_PATH
        ),
    )
}

/// Reports what seeding created.
pub fn seeded(out: &mut (dyn Write + Send), report: SeedReport) -> Result<(), DevError> {
    if report.created_anything() {
        line(
            out,
            &format!(
                "demo data seeded: {} users, {} posts, {} plans",
                report.users, report.posts, report.plans
            ),
        )
    } else {
        line(out, "demo data already present; reusing it")
    }
}

/// The text printed once the stack is ready: GraphiQL's address, the demo accounts and how to sign in.
pub fn ready(graphql_url: &str) -> String {
    let mut text =
        format!("\nThe platform is up. Open GraphiQL at {graphql_url}\n\nDemo accounts (for local use only):\n");
    for account in DEMO_ACCOUNTS {
        text.push_str(&format!(
            "  {:<7} {:<18} password: {}\n",
            account.role, account.email, account.password
        ));
    }
    let plans: Vec<&str> = DEMO_PLANS.iter().map(|(code, ..)| *code).collect();
    text.push_str(&format!("Demo plans: {}\n", plans.join(", ")));
    let member = &DEMO_ACCOUNTS[2];
    text.push_str(&format!(
        "\nSign in by running this mutation in GraphiQL:\n\n  mutation {{ signIn(email: \"{}\", password: \"{}\") {{ accessToken }} }}\n\n\
         then put the token in GraphiQL's Headers pane:\n\n  {{ \"Authorization\": \"Bearer <accessToken>\" }}\n\n\
         Press Ctrl-C to stop.\n",
        member.email, member.password
    ));
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ready_text_names_graphiql_every_account_and_the_header() {
        let text = ready("http://127.0.0.1:4000/graphql");
        assert!(text.contains("GraphiQL at http://127.0.0.1:4000/graphql"), "{text}");
        for account in DEMO_ACCOUNTS {
            assert!(
                text.contains(account.email) && text.contains(account.password),
                "{text}"
            );
        }
        assert!(
            text.contains("signIn(email:") && text.contains("\"Authorization\": \"Bearer"),
            "{text}"
        );
    }

    #[test]
    fn progress_lines_carry_both_addresses() {
        let mut out = Vec::new();
        let http = SocketAddr::from(([127, 0, 0, 1], 4004));
        let grpc = SocketAddr::from(([127, 0, 0, 1], 5004));
        service(&mut out, "blog", http, Some(grpc)).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "platform dev: blog     up  GraphQL http://127.0.0.1:4004/graphql  gRPC 127.0.0.1:5004\n"
        );
    }
}
