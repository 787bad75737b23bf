//! One worker of the load: a signed-in user with their drafts and their place in the billing cycle, sending one
//! request at a time and recording what each answered. A write counts as acknowledged only when its answer
//! carries the id of what it wrote.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::client::{Answer, GraphqlClient};
use crate::ops::{Op, Step, pick};
use crate::seed::{PLAN_CODE, Session};
use crate::stats::{LiveCounters, Observed};

/// Published posts remembered for reads and comments (the newest ones).
const PUBLISHED_POOL: usize = 512;
/// The access token is refreshed once it has less than this left.
const REFRESH_MARGIN: Duration = Duration::from_secs(120);
/// Every this many payments, the payment is sent a second time with the same idempotency key.
const REPEAT_EVERY: u64 = 4;
/// The code recorded when a successful answer lacks what the operation must return.
const UNEXPECTED_ANSWER: &str = "UNEXPECTED_ANSWER";

/// What every worker shares.
#[derive(Debug)]
pub struct Shared {
    /// The router's client.
    pub client: GraphqlClient,
    /// The run's id, in titles and idempotency keys.
    pub run_id: String,
    /// Published posts anyone may read and comment on.
    pub published: parking_lot::Mutex<Vec<String>>,
    /// Live totals for the status line.
    pub counters: LiveCounters,
    /// Set to end the load early.
    pub stop: AtomicBool,
}

/// Where a worker is in the billing cycle.
#[derive(Debug, Clone, PartialEq)]
enum Billing {
    /// Not known (at the start, and after an error): read it.
    Unknown,
    /// No current subscription.
    Idle,
    /// Subscribed; the open invoice is still to be read.
    Subscribed(String),
    /// An open invoice to pay: the subscription, the invoice, the amount due.
    Invoiced(Option<String>, String, Value),
    /// Paid up: the subscription can be cancelled.
    Paid(String),
}

/// One user's loop.
#[derive(Debug)]
pub struct Worker {
    index: usize,
    session: Session,
    shared: Arc<Shared>,
    rng: u64,
    drafts: VecDeque<String>,
    billing: Billing,
    written: u64,
    observed: Observed,
}

impl Worker {
    /// Worker `index`, acting as `session`'s user.
    pub fn new(index: usize, session: Session, shared: Arc<Shared>) -> Self {
        let seed = getrandom::u64().unwrap_or(0x9E37_79B9_7F4A_7C15) ^ (index as u64 + 1);
        Self {
            index,
            session,
            shared,
            rng: seed | 1,
            drafts: VecDeque::new(),
            billing: Billing::Unknown,
            written: 0,
            observed: Observed::default(),
        }
    }

    /// Runs steps until `deadline` or until the load is stopped; returns what it observed.
    pub async fn run(mut self, deadline: Instant) -> Observed {
        while Instant::now() < deadline && !self.shared.stop.load(Ordering::Relaxed) {
            if self.session.expires_at.saturating_duration_since(Instant::now()) < REFRESH_MARGIN {
                self.refresh().await;
            }
            let roll = self.next_random();
            self.step(pick(roll)).await;
        }
        self.observed
    }

    /// xorshift64*: enough for choosing steps, and no dependency.
    fn next_random(&mut self) -> u64 {
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        self.rng.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    async fn step(&mut self, step: Step) {
        match step {
            Step::Read(Op::PostWithComments) => match self.random_published() {
                Some(id) => self.read(Op::PostWithComments, json!({ "id": id })).await,
                None => self.read(Op::PostsWithAuthors, json!({})).await,
            },
            Step::Read(op) => self.read(op, json!({})).await,
            Step::Write => self.create_post().await,
            Step::Publish if self.drafts.is_empty() => self.create_post().await,
            Step::Publish => self.publish().await,
            Step::Comment => match self.random_published() {
                Some(post) => self.comment(&post).await,
                None if self.drafts.is_empty() => self.create_post().await,
                None => self.publish().await,
            },
            Step::Billing => self.billing_step().await,
        }
    }

    /// Sends the read `op`; what it answered only counts in the figures.
    async fn read(&mut self, op: Op, variables: Value) {
        self.send(op, variables).await;
    }

    /// Sends `op` as this worker's user; records it, and returns its data when it succeeded.
    async fn send(&mut self, op: Op, variables: Value) -> Option<Value> {
        let token = (op != Op::Refresh).then_some(self.session.access_token.as_str());
        let (answer, latency) = self
            .shared
            .client
            .send(token, op.name(), op.document(), variables)
            .await;
        let error = match &answer {
            Answer::Data(_) => None,
            Answer::Error(code) => Some(code.as_str()),
        };
        self.observed.record(op, latency, error);
        self.shared.counters.count(error.is_some());
        match answer {
            Answer::Data(data) => Some(data),
            Answer::Error(_) => None,
        }
    }

    /// The id at `pointer` in a successful answer of `op`; its absence is recorded as an error.
    fn id_in(&mut self, op: Op, data: &Value, pointer: &str) -> Option<String> {
        let id = data.pointer(pointer).and_then(Value::as_str).map(str::to_owned);
        if id.is_none() {
            self.unexpected(op);
        }
        id
    }

    /// Records that a successful answer of `op` lacked what the operation must return.
    fn unexpected(&mut self, op: Op) {
        self.observed.record_error(op, UNEXPECTED_ANSWER);
        self.shared.counters.count_error();
    }

    async fn refresh(&mut self) {
        let variables = json!({ "token": self.session.refresh_token });
        if let Some(data) = self.send(Op::Refresh, variables).await {
            match Session::from_graph(&self.session.user_id, &data["refresh"]) {
                Some(session) => self.session = session,
                None => self.unexpected(Op::Refresh),
            }
        }
    }

    fn random_published(&mut self) -> Option<String> {
        let roll = self.next_random();
        let pool = self.shared.published.lock();
        (!pool.is_empty()).then(|| pool[(roll % pool.len() as u64) as usize].clone())
    }

    async fn create_post(&mut self) {
        self.written += 1;
        let title = format!("Soak {} w{} #{}", self.shared.run_id, self.index, self.written);
        let input = json!({ "title": title, "body": "Written under load.", "tags": ["soak"] });
        if let Some(data) = self.send(Op::CreatePost, json!({ "input": input })).await
            && let Some(id) = self.id_in(Op::CreatePost, &data, "/createPost/id")
        {
            self.observed.acknowledged.posts.insert(id.clone());
            self.drafts.push_back(id);
        }
    }

    async fn publish(&mut self) {
        let Some(draft) = self.drafts.pop_front() else {
            return;
        };
        if let Some(data) = self.send(Op::PublishPost, json!({ "id": draft })).await
            && let Some(id) = self.id_in(Op::PublishPost, &data, "/publishPost/id")
        {
            self.observed.acknowledged.published.insert(id.clone());
            let mut pool = self.shared.published.lock();
            if pool.len() >= PUBLISHED_POOL {
                pool.remove(0);
            }
            pool.push(id);
        }
    }

    async fn comment(&mut self, post: &str) {
        self.written += 1;
        let body = format!("Comment #{} of w{}", self.written, self.index);
        if let Some(data) = self.send(Op::AddComment, json!({ "postId": post, "body": body })).await
            && let Some(id) = self.id_in(Op::AddComment, &data, "/addComment/id")
        {
            self.observed.acknowledged.comments.insert(id);
        }
    }

    /// One step of subscribe → read the open invoice → pay → cancel; any failure makes the state unknown, so
    /// the next step reads it back from the graph.
    async fn billing_step(&mut self) {
        let next = match std::mem::replace(&mut self.billing, Billing::Unknown) {
            Billing::Unknown => self.read_billing(None).await,
            Billing::Subscribed(subscription) => self.read_billing(Some(subscription)).await,
            Billing::Idle => self.subscribe().await,
            Billing::Invoiced(subscription, invoice, amount) => self.pay(subscription, &invoice, amount).await,
            Billing::Paid(subscription) => self.cancel(&subscription).await,
        };
        self.billing = next.unwrap_or(Billing::Unknown);
    }

    async fn read_billing(&mut self, known: Option<String>) -> Option<Billing> {
        let data = self.send(Op::BillingState, json!({})).await?;
        let me = &data["me"];
        let subscription = me["subscription"]["id"].as_str().map(str::to_owned).or(known);
        let invoice = &me["invoices"]["edges"][0]["node"];
        Some(match (invoice["id"].as_str(), subscription) {
            (Some(id), subscription) => Billing::Invoiced(subscription, id.to_owned(), invoice["amountDue"].clone()),
            (None, Some(subscription)) => Billing::Paid(subscription),
            (None, None) => Billing::Idle,
        })
    }

    async fn subscribe(&mut self) -> Option<Billing> {
        let data = self.send(Op::Subscribe, json!({ "plan": PLAN_CODE })).await?;
        let id = self.id_in(Op::Subscribe, &data, "/subscribe/id")?;
        self.observed.acknowledged.subscriptions.insert(id.clone());
        Some(Billing::Subscribed(id))
    }

    async fn pay(&mut self, subscription: Option<String>, invoice: &str, amount: Value) -> Option<Billing> {
        self.written += 1;
        let key = format!("soak-{}-w{}-{}", self.shared.run_id, self.index, self.written);
        let variables = json!({ "invoice": invoice, "amount": amount, "key": key });
        let data = self.send(Op::PayInvoice, variables.clone()).await?;
        let payment = self.id_in(Op::PayInvoice, &data, "/payInvoice/id")?;
        self.observed.acknowledged.payments.insert(payment.clone());
        self.observed.acknowledged.paid_invoices.insert(invoice.to_owned());
        if self.written.is_multiple_of(REPEAT_EVERY)
            && let Some(again) = self.send(Op::PayInvoiceAgain, variables).await
            && let Some(repeated) = self.id_in(Op::PayInvoiceAgain, &again, "/payInvoice/id")
            && repeated != payment
        {
            self.observed.idempotency_violations += 1;
            self.observed.acknowledged.payments.insert(repeated);
        }
        subscription.map(Billing::Paid)
    }

    async fn cancel(&mut self, subscription: &str) -> Option<Billing> {
        let data = self.send(Op::CancelSubscription, json!({ "id": subscription })).await?;
        let id = self.id_in(Op::CancelSubscription, &data, "/cancelSubscription/id")?;
        self.observed.acknowledged.cancelled.insert(id);
        Some(Billing::Idle)
    }
}
