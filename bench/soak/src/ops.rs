//! The operations of the load, as a frontend of the platform sends them through the router: each one named, so
//! the router's metrics and access log label it, and each touching the subgraphs a real page would.

/// One kind of request the load sends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Op {
    /// The newest posts with their authors' names (blog, then identity for each author).
    PostsWithAuthors,
    /// One published post with its author and first comments, each with its author (blog, identity).
    PostWithComments,
    /// The signed-in user with their subscription (identity, billing).
    Me,
    /// The plans on offer (billing).
    Plans,
    /// The caller's current subscription and oldest open invoice (identity, billing).
    BillingState,
    /// A new draft post (blog, with an authz check over gRPC).
    CreatePost,
    /// Publishing the caller's oldest draft (blog, authz).
    PublishPost,
    /// A comment under a published post (blog, authz).
    AddComment,
    /// Subscribing to the run's plan, which opens the first invoice (billing, authz).
    Subscribe,
    /// Paying the open invoice under a fresh idempotency key (billing).
    PayInvoice,
    /// The same payment again under the same key, which must answer the same payment (billing).
    PayInvoiceAgain,
    /// Cancelling the subscription, so the next cycle may subscribe again (billing).
    CancelSubscription,
    /// A new access token from the refresh token, before the old one expires (identity).
    Refresh,
}

impl Op {
    /// Every operation, in report order.
    pub const ALL: [Op; 13] = [
        Op::PostsWithAuthors,
        Op::PostWithComments,
        Op::Me,
        Op::Plans,
        Op::BillingState,
        Op::CreatePost,
        Op::PublishPost,
        Op::AddComment,
        Op::Subscribe,
        Op::PayInvoice,
        Op::PayInvoiceAgain,
        Op::CancelSubscription,
        Op::Refresh,
    ];

    /// The GraphQL operation name.
    pub fn name(self) -> &'static str {
        match self {
            Op::PostsWithAuthors => "PostsWithAuthors",
            Op::PostWithComments => "PostWithComments",
            Op::Me => "Me",
            Op::Plans => "Plans",
            Op::BillingState => "BillingState",
            Op::CreatePost => "CreatePost",
            Op::PublishPost => "PublishPost",
            Op::AddComment => "AddComment",
            Op::Subscribe => "Subscribe",
            Op::PayInvoice => "PayInvoice",
            Op::PayInvoiceAgain => "PayInvoiceAgain",
            Op::CancelSubscription => "CancelSubscription",
            Op::Refresh => "Refresh",
        }
    }

    /// Whether it changes state (and so is counted among the writes to verify).
    pub fn is_write(self) -> bool {
        !matches!(
            self,
            Op::PostsWithAuthors | Op::PostWithComments | Op::Me | Op::Plans | Op::BillingState
        )
    }

    /// The GraphQL document.
    pub fn document(self) -> &'static str {
        match self {
            Op::PostsWithAuthors => {
                "query PostsWithAuthors { posts(first: 10) { edges { node { id title publishedAt
                    author { id displayName } } } } }"
            }
            Op::PostWithComments => {
                "query PostWithComments($id: ID!) { post(id: $id) { id title body tags author { displayName }
                    comments(first: 5) { edges { node { id body author { displayName } } } } } }"
            }
            Op::Me => "query Me { me { id email displayName subscription { status plan { code } } } }",
            Op::Plans => "query Plans { plans { code name price { amount currency formatted } interval } }",
            Op::BillingState => {
                "query BillingState { me { subscription { id status } invoices(first: 1, status: OPEN) {
                    edges { node { id amountDue { amount currency } } } } } }"
            }
            Op::CreatePost => {
                "mutation CreatePost($input: CreatePostInput!) { createPost(input: $input) { id status } }"
            }
            Op::PublishPost => "mutation PublishPost($id: ID!) { publishPost(id: $id) { id status publishedAt } }",
            Op::AddComment => {
                "mutation AddComment($postId: ID!, $body: String!) { addComment(postId: $postId, body: $body) {
                    id postId } }"
            }
            Op::Subscribe => "mutation Subscribe($plan: String!) { subscribe(planCode: $plan) { id status } }",
            Op::PayInvoice => {
                "mutation PayInvoice($invoice: ID!, $amount: MoneyInput!, $key: String!) {
                    payInvoice(invoiceId: $invoice, amount: $amount, idempotencyKey: $key) { id invoiceId } }"
            }
            Op::PayInvoiceAgain => {
                "mutation PayInvoiceAgain($invoice: ID!, $amount: MoneyInput!, $key: String!) {
                    payInvoice(invoiceId: $invoice, amount: $amount, idempotencyKey: $key) { id invoiceId } }"
            }
            Op::CancelSubscription => {
                "mutation CancelSubscription($id: ID!) { cancelSubscription(id: $id) { id status } }"
            }
            Op::Refresh => {
                "mutation Refresh($token: String!) { refresh(refreshToken: $token) { accessToken refreshToken
                    expiresIn } }"
            }
        }
    }
}

/// One choice of the mix: what a worker does next, before its preconditions are looked at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// A read: one of the read operations.
    Read(Op),
    /// Write a new draft.
    Write,
    /// Publish a draft (writes one first when there is none).
    Publish,
    /// Comment on a published post (publishes one first when none is known).
    Comment,
    /// The next step of the billing cycle: subscribe → read the open invoice → pay (sometimes twice with the same
    /// key) → cancel.
    Billing,
}

/// The mix, out of 100: 60 % reads, 40 % writes and the reads the billing cycle needs.
pub const MIX: [(Step, u32); 8] = [
    (Step::Read(Op::PostsWithAuthors), 20),
    (Step::Read(Op::PostWithComments), 15),
    (Step::Read(Op::Me), 15),
    (Step::Read(Op::Plans), 10),
    (Step::Write, 10),
    (Step::Publish, 8),
    (Step::Comment, 10),
    (Step::Billing, 12),
];

/// The step whose share of [`MIX`] holds `roll` (taken modulo the total).
pub fn pick(roll: u64) -> Step {
    let total: u64 = MIX.iter().map(|(_, weight)| u64::from(*weight)).sum();
    let mut roll = roll % total;
    for (step, weight) in MIX {
        if roll < u64::from(weight) {
            return step;
        }
        roll -= u64::from(weight);
    }
    Step::Read(Op::Me)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mix_adds_up_to_a_hundred_and_every_share_is_reachable() {
        assert_eq!(MIX.iter().map(|(_, weight)| weight).sum::<u32>(), 100);
        let mut seen: Vec<Step> = (0..100).map(pick).collect();
        seen.dedup();
        assert_eq!(seen, MIX.iter().map(|(step, _)| *step).collect::<Vec<_>>());
        assert_eq!(pick(0), pick(100));
    }

    #[test]
    fn every_document_names_its_operation() {
        for op in Op::ALL {
            let document = op.document();
            assert!(document.contains(&format!(" {}", op.name())), "{document}");
        }
        assert_eq!(Op::ALL.iter().filter(|op| op.is_write()).count(), 8);
    }
}
